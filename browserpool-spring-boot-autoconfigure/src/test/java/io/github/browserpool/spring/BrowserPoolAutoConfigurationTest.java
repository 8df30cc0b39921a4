package io.github.browserpool.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.BrowserPoolMXBean;
import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolListener;
import io.github.browserpool.micrometer.BrowserPoolMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jmx.JmxAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * The auto-configuration in application contexts of its own: no browser is launched (minIdle stays 0
 * and nothing acquires), so these tests are fast. Each context's profile dirs go to a temp dir.
 */
class BrowserPoolAutoConfigurationTest {
  @TempDir
  Path tempRoot;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BrowserPoolAutoConfiguration.class,
            BrowserPoolHealthAutoConfiguration.class, BrowserPoolMetricsAutoConfiguration.class))
        .withPropertyValues("browserpool.temp-root=" + tempRoot);
  }

  private ApplicationContextRunner withMetrics() {
    return runner().withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class));
  }

  @Test
  void withoutPropertiesThePoolHasPoolConfigsDefaults() {
    runner().run(context -> {
      assertThat(context).hasSingleBean(BrowserPool.class).hasSingleBean(BrowserPoolGracefulShutdown.class);
      PoolConfig c = context.getBean(BrowserPool.class).config();
      PoolConfig d = PoolConfig.builder().build();
      assertThat(c.poolName()).startsWith("browserpool-");
      assertThat(List.of(c.maxBrowsers(), c.minIdle(), c.idleTimeout(), c.acquireTimeout(), c.capacityPolicy(),
          c.closeTimeout(), c.launchTimeout(), c.maxLifetime(), c.maxLeasesPerBrowser(), c.maxContextsPerBrowser(),
          c.evictionProtection(), c.callTimeout(), c.chromeArguments(), c.maxBrowserMemory(),
          c.registerMBean(), c.captureAcquireSite()))
          .isEqualTo(List.of(d.maxBrowsers(), d.minIdle(), d.idleTimeout(), d.acquireTimeout(), d.capacityPolicy(),
              d.closeTimeout(), d.launchTimeout(), d.maxLifetime(), d.maxLeasesPerBrowser(),
              d.maxContextsPerBrowser(), d.evictionProtection(), d.callTimeout(), d.chromeArguments(),
              d.maxBrowserMemory(), d.registerMBean(), d.captureAcquireSite()));
      assertThat(c.chromeExecutable()).isNull();
      assertThat(c.noSandbox()).isNull();
      assertThat(c.seleniumGrid()).isNull();
      assertThat(context.getBean(BrowserPoolGracefulShutdown.class).getGrace())
          .as("Boot's default timeout-per-shutdown-phase").isEqualTo(Duration.ofSeconds(30));
    });
  }

  @Test
  void everyPropertyIsBound() {
    runner().withPropertyValues("browserpool.pool-name=bound", "browserpool.max-browsers=7",
        "browserpool.min-idle=0", "browserpool.idle-timeout=11m", "browserpool.acquire-timeout=12s",
        "browserpool.capacity-policy=evict-lru", "browserpool.chrome-executable=/usr/bin/chromium",
        "browserpool.close-timeout=13s", "browserpool.launch-timeout=14s", "browserpool.max-lifetime=15m",
        "browserpool.max-leases-per-browser=16", "browserpool.max-contexts-per-browser=17",
        "browserpool.eviction-protection=18s", "browserpool.call-timeout=19s",
        "browserpool.chrome-arguments=--lang=de-DE,--mute-audio", "browserpool.no-sandbox=true",
        "browserpool.max-browser-memory=1GB", "browserpool.register-mbean=false",
        "browserpool.capture-acquire-site=true", "browserpool.fail-fast=true").run(context -> {
          PoolConfig c = context.getBean(BrowserPool.class).config();
          assertThat(c.poolName()).isEqualTo("bound");
          assertThat(c.maxBrowsers()).isEqualTo(7);
          assertThat(c.minIdle()).isZero();
          assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(11));
          assertThat(c.acquireTimeout()).isEqualTo(Duration.ofSeconds(12));
          assertThat(c.capacityPolicy()).isEqualTo(CapacityPolicy.EVICT_LRU);
          assertThat(c.tempRoot()).isEqualTo(tempRoot.toAbsolutePath().normalize());
          assertThat(c.chromeExecutable()).isEqualTo(Path.of("/usr/bin/chromium"));
          assertThat(c.closeTimeout()).isEqualTo(Duration.ofSeconds(13));
          assertThat(c.launchTimeout()).isEqualTo(Duration.ofSeconds(14));
          assertThat(c.maxLifetime()).isEqualTo(Duration.ofMinutes(15));
          assertThat(c.maxLeasesPerBrowser()).isEqualTo(16);
          assertThat(c.maxContextsPerBrowser()).isEqualTo(17);
          assertThat(c.evictionProtection()).isEqualTo(Duration.ofSeconds(18));
          assertThat(c.callTimeout()).isEqualTo(Duration.ofSeconds(19));
          assertThat(c.chromeArguments()).containsExactly("--lang=de-DE", "--mute-audio");
          assertThat(c.noSandbox()).isTrue();
          assertThat(c.maxBrowserMemory()).isEqualTo(1024L * 1024 * 1024);
          assertThat(c.registerMBean()).isFalse();
          assertThat(c.captureAcquireSite()).isTrue();
        });
  }

  @Test
  void seleniumGridIsBound() {
    // A Grid that does not answer: the lenient start keeps the application up, the pool reports it.
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BrowserPoolAutoConfiguration.class))
        .withPropertyValues("browserpool.selenium-grid=http://127.0.0.1:9/").run(context -> {
          BrowserPool pool = context.getBean(BrowserPool.class);
          assertThat(pool.config().seleniumGrid()).isEqualTo(URI.create("http://127.0.0.1:9"));
          assertThat(pool.stats().launchFailures()).isEqualTo(1);
        });
  }

  @Test
  void anApplicationsOwnPoolWins() {
    runner().withUserConfiguration(OwnPool.class).run(context -> {
      assertThat(context).hasSingleBean(BrowserPool.class);
      assertThat(context.getBean(BrowserPool.class).name()).isEqualTo("own");
      assertThat(context).hasSingleBean(BrowserPoolGracefulShutdown.class).hasSingleBean(BrowserPoolHealthIndicator.class);
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnPool {
    @Bean
    BrowserPool ownPool() {
      return BrowserPool.start(PoolConfig.builder().poolName("own").build());
    }
  }

  @Test
  void customizersRunAfterThePropertiesInOrderAndListenerBeansAreAdded() {
    runner().withPropertyValues("browserpool.pool-name=from-properties", "browserpool.max-browsers=3")
        .withUserConfiguration(Customizers.class).run(context -> {
          PoolConfig c = context.getBean(BrowserPool.class).config();
          assertThat(c.poolName()).as("the later customizer wins").isEqualTo("second");
          assertThat(c.maxBrowsers()).as("a property no customizer set").isEqualTo(3);
          assertThat(c.listeners()).contains(context.getBean("myListener", PoolListener.class));
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class Customizers {
    @Bean
    @Order(2)
    BrowserPoolCustomizer second() {
      return b -> b.poolName("second");
    }

    @Bean
    @Order(1)
    BrowserPoolCustomizer first() {
      return b -> b.poolName("first").minIdle(0);
    }

    @Bean
    PoolListener myListener() {
      return new PoolListener() { };
    }
  }

  @Test
  void browserpoolEnabledFalseStartsNoPool() {
    runner().withPropertyValues("browserpool.enabled=false").run(context ->
        assertThat(context).doesNotHaveBean(BrowserPool.class).doesNotHaveBean(BrowserPoolGracefulShutdown.class)
            .doesNotHaveBean(BrowserPoolHealthIndicator.class));
  }

  // Health

  @Test
  void healthIsUpWithTheStatsWhileThePoolCanServe() {
    runner().withPropertyValues("browserpool.pool-name=healthy").run(context -> {
      Health h = context.getBean("browserpoolHealthIndicator", HealthIndicator.class).health();
      assertThat(h.getStatus()).isEqualTo(Status.UP);
      assertThat(h.getDetails()).containsEntry("pool", "healthy").containsEntry("state", "serving")
          .containsEntry("maxBrowsers", 4).containsEntry("total", 0).containsEntry("launchFailures", 0L)
          .containsKeys("idle", "leased", "starting", "activeLeases", "waiting", "launched", "leasesRevoked")
          .doesNotContainKey("launchError");
    });
  }

  @Test
  void healthIsDownWithTheLaunchErrorWhenChromiumIsMissingAndTheApplicationStillStarts() {
    runner().withPropertyValues("browserpool.chrome-executable=/nonexistent/chromium").run(context -> {
      assertThat(context).hasNotFailed();
      Health h = context.getBean("browserpoolHealthIndicator", HealthIndicator.class).health();
      assertThat(h.getStatus()).isEqualTo(Status.DOWN);
      assertThat(h.getDetails()).containsEntry("state", "launches failing")
          .containsEntry("launchFailuresInARow", 1);
      assertThat((String) h.getDetails().get("launchError")).contains("/nonexistent/chromium", "does not exist");
    });
  }

  @Test
  void failFastFailsTheStartWhenChromiumIsMissing() {
    runner().withPropertyValues("browserpool.chrome-executable=/nonexistent/chromium", "browserpool.fail-fast=true")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .rootCause().isInstanceOf(BrowserLaunchException.class).hasMessageContaining("/nonexistent/chromium"));
  }

  @Test
  void healthIsOutOfServiceWhileSuspendedAndDownOnceClosed() {
    runner().withPropertyValues("browserpool.pool-name=steered", "browserpool.register-mbean=true").run(context -> {
      BrowserPool pool = context.getBean(BrowserPool.class);
      HealthIndicator health = context.getBean("browserpoolHealthIndicator", HealthIndicator.class);
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      BrowserPoolMXBean mbean = JMX.newMXBeanProxy(server,
          new ObjectName("io.github.browserpool:type=BrowserPool,name=steered"), BrowserPoolMXBean.class);
      mbean.suspendPool();
      assertThat(health.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
      assertThat(health.health().getDetails()).containsEntry("state", "suspended");
      mbean.resumePool();
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      pool.close(Duration.ZERO);
      assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.health().getDetails()).containsEntry("state", "closed");
    });
  }

  @Test
  void healthCanBeTurnedOffAndIsAbsentWithoutBootsHealthSupport() {
    runner().withPropertyValues("management.health.browserpool.enabled=false")
        .run(context -> assertThat(context).hasSingleBean(BrowserPool.class).doesNotHaveBean("browserpoolHealthIndicator"));
    runner().withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(context -> assertThat(context).hasSingleBean(BrowserPool.class).doesNotHaveBean("browserpoolHealthIndicator"));
  }

  // Metrics

  @Test
  void metricsAreBoundToTheRegistryTaggedWithThePoolName() {
    withMetrics().withPropertyValues("browserpool.pool-name=metered").run(context -> {
      assertThat(context).hasSingleBean(BrowserPoolMetrics.class);
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      assertThat(registry.get("browserpool.browsers").tag("pool", "metered").tag("state", "idle").gauge().value())
          .isZero();
      assertThat(registry.get("browserpool.launched").tag("pool", "metered").functionCounter()).isNotNull();
      assertThat(registry.get("browserpool.acquire").tag("pool", "metered").timer().count()).isZero();
    });
  }

  @Test
  void failedLaunchesAreCounted() {
    withMetrics().withPropertyValues("browserpool.pool-name=nochrome", "browserpool.chrome-executable=/nonexistent/chromium")
        .run(context -> assertThat(context.getBean(MeterRegistry.class).get("browserpool.launch.failures")
            .tag("pool", "nochrome").functionCounter().count()).as("the failure at start").isEqualTo(1));
  }

  @Test
  void noMetricsWithoutARegistryOrWithoutMicrometer() {
    runner().run(context -> assertThat(context).hasSingleBean(BrowserPool.class)
        .doesNotHaveBean(BrowserPoolMetrics.class));
    withMetrics().withClassLoader(new FilteredClassLoader(BrowserPoolMetrics.class))
        .run(context -> assertThat(context).as("a registry, but no browserpool-micrometer").hasSingleBean(MeterRegistry.class)
            .hasSingleBean(BrowserPool.class).doesNotHaveBean("browserPoolMetrics"));
    runner().withClassLoader(new FilteredClassLoader("io.micrometer."))
        .run(context -> assertThat(context).as("no Micrometer at all").hasSingleBean(BrowserPool.class)
            .doesNotHaveBean("browserPoolMetrics"));
  }

  // JMX

  @Test
  void theMBeanFollowsSpringJmxEnabledBesideBootsOwnExporter() {
    ObjectName name = io.github.browserpool.pool.PoolJmx.objectName("jmx-on");
    runner().withConfiguration(AutoConfigurations.of(JmxAutoConfiguration.class))
        .withPropertyValues("spring.jmx.enabled=true", "browserpool.pool-name=jmx-on").run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).isTrue();
          assertThat(ManagementFactory.getPlatformMBeanServer().queryNames(
              new ObjectName("*:name=jmx-on,*"), null)).as("registered once, not again by Boot's exporter")
              .containsExactly(name);
        });
    assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).as("unregistered at close").isFalse();
    runner().withPropertyValues("browserpool.pool-name=jmx-off").run(context ->
        assertThat(ManagementFactory.getPlatformMBeanServer()
            .isRegistered(io.github.browserpool.pool.PoolJmx.objectName("jmx-off"))).isFalse());
  }

  // Shutdown

  @Test
  void theContextsStopClosesThePoolGracefullyWithBootsShutdownPhaseTimeout() {
    BrowserPool[] pool = new BrowserPool[1];
    runner().withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=7s").run(context -> {
      pool[0] = context.getBean(BrowserPool.class);
      BrowserPoolGracefulShutdown shutdown = context.getBean(BrowserPoolGracefulShutdown.class);
      assertThat(shutdown.getGrace()).isEqualTo(Duration.ofSeconds(7));
      assertThat(shutdown.getPhase()).isBetween(
          org.springframework.context.SmartLifecycle.DEFAULT_PHASE - 2048,
          org.springframework.context.SmartLifecycle.DEFAULT_PHASE - 1024);
      assertThat(shutdown.isRunning()).isTrue();
      assertThat(pool[0].isClosed()).isFalse();
      assertThat(pool[0].closesOnJvmShutdown()).as("the context's shutdown hook closes it, in order").isFalse();
    });
    assertThat(pool[0].isClosed()).isTrue();
    assertThat(pool[0].stats().total()).isZero();
  }

  @Test
  void withoutTheContextsShutdownHookThePoolKeepsItsOwn() {
    runner().withPropertyValues("spring.main.register-shutdown-hook=false")
        .run(context -> assertThat(context.getBean(BrowserPool.class).closesOnJvmShutdown()).isTrue());
  }

  // Bad values

  @Test
  void aBadPropertyFailsTheStartWithAnAnalysisNamingThePropertyTheValueAndTheFix() {
    runner().withPropertyValues("browserpool.max-browsers=0").run(context -> {
      assertThat(context).hasFailed();
      FailureAnalysis a = analyze(context.getStartupFailure());
      assertThat(a.getDescription()).contains("'browserpool.max-browsers'", "'0'", "invalid maxBrowsers: 0");
      assertThat(a.getAction()).isEqualTo(
          "Update 'browserpool.max-browsers' in your application's configuration: pass 1 or more, or remove it"
              + " to keep the default.");
    });
    runner().withPropertyValues("browserpool.idle-timeout=-5s").run(context -> {
      FailureAnalysis a = analyze(context.getStartupFailure());
      assertThat(a.getDescription()).contains("'browserpool.idle-timeout'", "'-5s'");
      assertThat(a.getAction()).contains("pass a Duration greater than zero", "written like 500ms, 30s or 10m");
    });
    runner().withPropertyValues("browserpool.max-browser-memory=0B").run(context -> {
      FailureAnalysis a = analyze(context.getStartupFailure());
      assertThat(a.getDescription()).contains("'browserpool.max-browser-memory'", "'0B'");
      assertThat(a.getAction()).contains("written like 512MB or 1GB");
    });
    runner().withPropertyValues("browserpool.min-idle=5", "browserpool.max-browsers=2").run(context -> {
      FailureAnalysis a = analyze(context.getStartupFailure());
      assertThat(a.getDescription()).contains("'browserpool.min-idle'", "'5'", "minIdle (5) must not exceed maxBrowsers (2)");
    });
    runner().withPropertyValues("browserpool.chrome-arguments=--ok,no-dashes").run(context -> {
      FailureAnalysis a = analyze(context.getStartupFailure());
      assertThat(a.getDescription()).contains("'browserpool.chrome-arguments'", "invalid chromeArguments: no-dashes");
    });
  }

  /** Analyzes {@code failure} with the analyzers Boot loads from spring.factories, as at a real start. */
  private static FailureAnalysis analyze(Throwable failure) {
    // Boot's own analyzers need constructor arguments that only a real start supplies: skip those.
    List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
        .load(FailureAnalyzer.class, (type, name, cause) -> { });
    FailureAnalyzer ours = analyzers.stream().filter(InvalidBrowserPoolPropertyFailureAnalyzer.class::isInstance)
        .findFirst().orElseThrow(() -> new AssertionError("the analyzer is not registered in spring.factories"));
    FailureAnalysis a = ours.analyze(failure);
    assertThat(a).as("analysis of " + failure).isNotNull();
    return a;
  }
}
