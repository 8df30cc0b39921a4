package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.browserpool.pool.FakeLauncher;
import io.github.browserpool.pool.FakeTicker;
import io.github.browserpool.pool.PoolJmx;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServer;
import org.junit.jupiter.api.Test;

/**
 * The MBean and listeners through the public front door, with a fake launcher: a name clash fails
 * start and leaves nothing, the MBean goes away on close and when an unclosed pool is collected, and
 * neither the MBean nor a listener keeps an unclosed pool reachable.
 */
class MonitoringLifecycleTest {
  private final FakeLauncher launcher = new FakeLauncher();
  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

  private PoolConfig.Builder config(String name) {
    return PoolConfig.builder().maxContextsPerBrowser(1).poolName(name).ticker(new FakeTicker()).registerMBean(true);
  }

  @Test
  void twoPoolsWithOneNameAreAClearErrorThatLeavesNothingBehind() {
    try (BrowserPool first = FakePools.start(config("jmx-clash").build(), launcher)) {
      first.acquire().close();
      assertThatThrownBy(() -> FakePools.start(config("jmx-clash").minIdle(1).build(), launcher))
          .isInstanceOf(BrowserPoolException.class)
          .hasMessageContaining("[jmx-clash] ")
          .hasMessageContaining("io.github.browserpool:type=BrowserPool,name=jmx-clash")
          .hasMessageContaining("unique poolName");
      assertThat(launcher.launched).as("the second pool launched nothing (minIdle 1)").hasSize(1);
      assertThat(server.isRegistered(PoolJmx.objectName("jmx-clash"))).as("the first pool's MBean stays").isTrue();
      assertThat(first.stats().idle()).isEqualTo(1);
    }
    assertThat(server.isRegistered(PoolJmx.objectName("jmx-clash"))).isFalse();
    try (BrowserPool again = FakePools.start(config("jmx-clash").build(), launcher)) {
      assertThat(server.isRegistered(PoolJmx.objectName("jmx-clash"))).as("the name is free after close").isTrue();
    }
    assertThat(launcher.alive()).isZero();
  }

  @Test
  void aPoolNameWithJmxSpecialCharactersIsQuoted() throws Exception {
    try (BrowserPool pool = FakePools.start(config("a,b=c:*?").build(), launcher)) {
      javax.management.ObjectName name = PoolJmx.objectName("a,b=c:*?");
      assertThat(name.isPattern()).isFalse();
      assertThat(server.getAttribute(name, "PoolName")).isEqualTo("a,b=c:*?");
    }
  }

  @Test
  void withoutRegisterMBeanNothingIsRegistered() {
    try (BrowserPool pool = FakePools.start(config("jmx-off").registerMBean(false).build(), launcher)) {
      assertThat(server.isRegistered(PoolJmx.objectName("jmx-off"))).isFalse();
    }
  }

  @Test
  void badArgumentsToTheMonitoringMethodsAreClearErrors() {
    try (BrowserPool pool = FakePools.start(config("bad-args").registerMBean(false).build(), launcher)) {
      assertThatThrownBy(() -> pool.invalidate(" ")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sessionKey must be a non-blank string");
      assertThatThrownBy(() -> pool.addListener(null)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("listener must not be null");
      assertThat(pool.invalidate("nobody")).isFalse();
      try (BrowserLease lease = pool.acquire("alice")) {
        assertThat(lease.isNewSession()).isTrue();
        assertThat(pool.browsers()).singleElement()
            .satisfies(b -> assertThat(b.sessionKey()).isEqualTo("alice"));
      }
    }
  }

  @Test
  void anUnclosedPoolWithAnMBeanAndAListenerIsStillCollectedAndUnregistered() {
    AtomicInteger closes = new AtomicInteger();
    startAndDrop(closes);
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      System.gc();
      return launcher.alive() == 0 && !server.isRegistered(PoolJmx.objectName("jmx-gc"));
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> closes.get() == 1);
  }

  private void startAndDrop(AtomicInteger closes) {
    BrowserPool pool = FakePools.start(config("jmx-gc").build(), launcher);
    pool.addListener(new PoolListener() {
      @Override
      public void closed(BrowserEvent browser, CloseReason reason, Duration took, boolean forced) {
        closes.incrementAndGet();
      }
    });
    pool.acquire().close();
    assertThat(server.isRegistered(PoolJmx.objectName("jmx-gc"))).isTrue();
  }
}
