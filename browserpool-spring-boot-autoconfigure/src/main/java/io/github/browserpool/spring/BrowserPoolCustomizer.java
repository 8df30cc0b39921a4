package io.github.browserpool.spring;

import io.github.browserpool.PoolConfig;

/**
 * Changes the pool's configuration in code, for what properties cannot say: listeners, a Selenium
 * Grid's capabilities, a ticker. Every bean of this type is applied, in {@code @Order}, to the builder
 * after the {@code browserpool.*} properties, before the pool starts.
 *
 * <pre>{@code
 * @Bean
 * BrowserPoolCustomizer gridCapabilities() {
 *   return builder -> builder.gridCapabilities(Map.of("platformName", "linux"));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface BrowserPoolCustomizer {
  /** Sets what the properties cannot on {@code builder}. */
  void customize(PoolConfig.Builder builder);
}
