package io.github.browserpool.spring;

import io.github.browserpool.BrowserPool;
import io.github.browserpool.micrometer.BrowserPoolMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * browserpool-micrometer's {@link BrowserPoolMetrics} as a {@code MeterBinder} bean, tagged {@code
 * pool=<poolName>}, when the application has a {@link MeterRegistry}; Boot binds it to its registries
 * once they are set up.
 */
@AutoConfiguration(after = {BrowserPoolAutoConfiguration.class, MetricsAutoConfiguration.class,
    CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class})
@ConditionalOnClass({BrowserPool.class, BrowserPoolMetrics.class, MeterRegistry.class, MetricsAutoConfiguration.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnSingleCandidate(BrowserPool.class)
public class BrowserPoolMetricsAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean
  BrowserPoolMetrics browserPoolMetrics(BrowserPool pool) {
    return new BrowserPoolMetrics(pool);
  }
}
