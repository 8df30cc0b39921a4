package io.github.browserpool.spring;

import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolListener;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * A {@link BrowserPool} from the {@code browserpool.*} properties, unless the application defines one,
 * and its graceful close when the application stops. Health and metrics are in {@link
 * BrowserPoolHealthAutoConfiguration} and {@link BrowserPoolMetricsAutoConfiguration}.
 */
@AutoConfiguration
@ConditionalOnClass(BrowserPool.class)
@EnableConfigurationProperties(BrowserPoolProperties.class)
public class BrowserPoolAutoConfiguration {
  /** Boot's default for {@code spring.lifecycle.timeout-per-shutdown-phase}. */
  static final Duration DEFAULT_SHUTDOWN_PHASE_TIMEOUT = Duration.ofSeconds(30);

  @Bean
  @ConditionalOnMissingBean
  LaunchOutcomes browserPoolLaunchOutcomes() {
    return new LaunchOutcomes();
  }

  /**
   * The pool: the properties, then every {@link BrowserPoolCustomizer} in order; every {@link
   * PoolListener} bean is added as a listener. It is closed by {@link BrowserPoolGracefulShutdown}
   * first, and by {@code close()} when the context is destroyed.
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(name = "browserpool.enabled", matchIfMissing = true)
  BrowserPool browserPool(BrowserPoolProperties properties, Environment environment,
      ObjectProvider<BrowserPoolCustomizer> customizers, ObjectProvider<PoolListener> listeners) {
    PoolConfigFactory factory = new PoolConfigFactory(environment);
    boolean jmx = environment.getProperty("spring.jmx.enabled", Boolean.class, false);
    PoolConfig.Builder builder = factory.builder(properties, jmx);
    listeners.orderedStream().forEach(builder::listener);
    customizers.orderedStream().forEach(c -> c.customize(builder));
    PoolConfig config = factory.build(builder);
    return properties.isFailFast() ? BrowserPool.start(config) : BrowserPool.startLenient(config);
  }

  @Bean
  @ConditionalOnSingleCandidate(BrowserPool.class)
  @ConditionalOnMissingBean
  BrowserPoolGracefulShutdown browserPoolGracefulShutdown(BrowserPool pool, Environment environment) {
    Duration grace = Binder.get(environment)
        .bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
        .orElse(DEFAULT_SHUTDOWN_PHASE_TIMEOUT);
    boolean hook = environment.getProperty("spring.main.register-shutdown-hook", Boolean.class, true);
    return new BrowserPoolGracefulShutdown(pool, grace, hook);
  }
}
