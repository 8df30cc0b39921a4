package io.github.browserpool.spring;

import io.github.browserpool.BrowserPool;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code browserpool} health contributor, when the application has Boot's health support
 * (spring-boot-starter-actuator). Turn it off with {@code management.health.browserpool.enabled=false}.
 */
@AutoConfiguration(after = BrowserPoolAutoConfiguration.class)
@ConditionalOnClass({BrowserPool.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnSingleCandidate(BrowserPool.class)
@ConditionalOnEnabledHealthIndicator("browserpool")
public class BrowserPoolHealthAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean(name = "browserpoolHealthIndicator")
  BrowserPoolHealthIndicator browserpoolHealthIndicator(BrowserPool pool, ObjectProvider<LaunchOutcomes> launches) {
    // The auto-configured pool has listened to its launches from its start; a pool of the application's
    // own has not, and the indicator starts following it now.
    LaunchOutcomes outcomes = launches.getIfAvailable();
    boolean listening = outcomes != null && pool.config().listeners().contains(outcomes);
    return new BrowserPoolHealthIndicator(pool, listening ? outcomes : null);
  }
}
