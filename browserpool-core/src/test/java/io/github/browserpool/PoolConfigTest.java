package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class PoolConfigTest {
  @Test
  void defaultsAreTheNamedConstants() {
    PoolConfig c = PoolConfig.builder().build();
    assertThat(c.maxBrowsers()).isEqualTo(PoolConfig.DEFAULT_MAX_BROWSERS);
    assertThat(c.minIdle()).isEqualTo(PoolConfig.DEFAULT_MIN_IDLE);
    assertThat(c.idleTimeout()).isEqualTo(PoolConfig.DEFAULT_IDLE_TIMEOUT);
    assertThat(c.acquireTimeout()).isEqualTo(PoolConfig.DEFAULT_ACQUIRE_TIMEOUT);
    assertThat(c.capacityPolicy()).isEqualTo(PoolConfig.DEFAULT_CAPACITY_POLICY);
    assertThat(c.closeTimeout()).isEqualTo(PoolConfig.DEFAULT_CLOSE_TIMEOUT);
    assertThat(c.launchTimeout()).isEqualTo(PoolConfig.DEFAULT_LAUNCH_TIMEOUT);
    assertThat(c.maxLifetime()).isEqualTo(PoolConfig.DEFAULT_MAX_LIFETIME);
    assertThat(c.maxLeasesPerBrowser()).isEqualTo(PoolConfig.DEFAULT_MAX_LEASES_PER_BROWSER);
    assertThat(c.evictionProtection()).isEqualTo(PoolConfig.DEFAULT_EVICTION_PROTECTION);
    assertThat(c.callTimeout()).isEqualTo(PoolConfig.DEFAULT_CALL_TIMEOUT).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.tempRoot()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
    assertThat(c.chromeExecutable()).isNull();
    assertThat(c.browserBinary()).isEqualTo(PoolConfig.DEFAULT_BROWSER_BINARY).isEqualTo(BrowserBinary.HEADLESS_SHELL);
    assertThat(PoolConfig.builder().browserBinary(BrowserBinary.CHROMIUM).build().browserBinary())
        .isEqualTo(BrowserBinary.CHROMIUM);
    assertThat(c.toString()).contains("browserBinary=HEADLESS_SHELL");
    assertThat(c.noSandbox()).isNull();
    assertThat(c.poolName()).startsWith("browserpool-");
    assertThat(c.maxBrowserMemory()).isEqualTo(PoolConfig.DEFAULT_MAX_BROWSER_MEMORY).isZero();
    assertThat(c.registerMBean()).isEqualTo(PoolConfig.DEFAULT_REGISTER_MBEAN).isFalse();
    assertThat(c.captureAcquireSite()).isEqualTo(PoolConfig.DEFAULT_CAPTURE_ACQUIRE_SITE).isFalse();
    assertThat(c.listeners()).isEmpty();
  }

  @Test
  void monitoringSettingsAreKeptAndListenersAddUp() {
    PoolListener a = new PoolListener() {};
    PoolListener b = new PoolListener() {};
    PoolConfig c = PoolConfig.builder().maxBrowserMemory(512L << 20).registerMBean(true)
        .captureAcquireSite(true).listener(a).listener(b).build();
    assertThat(c.maxBrowserMemory()).isEqualTo(512L << 20);
    assertThat(c.registerMBean()).isTrue();
    assertThat(c.captureAcquireSite()).isTrue();
    assertThat(c.listeners()).containsExactly(a, b);
    assertThatThrownBy(() -> PoolConfig.builder().maxBrowserMemory(0))
        .hasMessageContaining("greater than zero").hasMessageContaining("leave it unset for no limit");
  }

  @Test
  void settingsAreKept() {
    PoolConfig c = PoolConfig.builder().poolName("p").maxBrowsers(8).minIdle(8)
        .idleTimeout(Duration.ofSeconds(3)).acquireTimeout(Duration.ZERO)
        .capacityPolicy(CapacityPolicy.EVICT_LRU).tempRoot(Path.of("/var/tmp/x/../y"))
        .addChromeArguments("--lang=en-US").noSandbox(false).callTimeout(Duration.ofSeconds(7)).build();
    assertThat(c.poolName()).isEqualTo("p");
    assertThat(c.callTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(c.toString()).contains("callTimeout=PT7S");
    assertThat(c.minIdle()).isEqualTo(8);
    assertThat(c.tempRoot()).isEqualTo(Path.of("/var/tmp/y"));
    assertThat(c.chromeArguments()).containsExactly("--lang=en-US");
    assertThat(c.noSandbox()).isFalse();
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        bad("maxBrowsers", "0", b -> b.maxBrowsers(0)),
        bad("maxBrowsers", "-1", b -> b.maxBrowsers(-1)),
        bad("minIdle", "-1", b -> b.minIdle(-1)),
        bad("minIdle", "5", b -> b.maxBrowsers(4).minIdle(5).build()),
        bad("idleTimeout", "PT0S", b -> b.idleTimeout(Duration.ZERO)),
        bad("idleTimeout", "PT-1S", b -> b.idleTimeout(Duration.ofSeconds(-1))),
        bad("idleTimeout", "null", b -> b.idleTimeout(null)),
        bad("acquireTimeout", "PT-0.001S", b -> b.acquireTimeout(Duration.ofMillis(-1))),
        bad("capacityPolicy", "null", b -> b.capacityPolicy(null)),
        bad("tempRoot", "null", b -> b.tempRoot(null)),
        bad("chromeExecutable", "null", b -> b.chromeExecutable(null)),
        bad("browserBinary", "null", b -> b.browserBinary(null)),
        bad("closeTimeout", "PT0S", b -> b.closeTimeout(Duration.ZERO)),
        bad("launchTimeout", "PT0S", b -> b.launchTimeout(Duration.ZERO)),
        bad("maxLifetime", "PT-1M", b -> b.maxLifetime(Duration.ofMinutes(-1))),
        bad("maxLeasesPerBrowser", "0", b -> b.maxLeasesPerBrowser(0)),
        bad("evictionProtection", "PT-1S", b -> b.evictionProtection(Duration.ofSeconds(-1))),
        bad("callTimeout", "PT0S", b -> b.callTimeout(Duration.ZERO)),
        bad("callTimeout", "PT-1S", b -> b.callTimeout(Duration.ofSeconds(-1))),
        bad("callTimeout", "null", b -> b.callTimeout(null)),
        bad("chromeArguments", "headless", b -> b.addChromeArguments("headless")),
        bad("chromeArguments", "null", b -> b.addChromeArguments((String) null)),
        bad("poolName", "\"\"", b -> b.poolName("")),
        bad("poolName", "null", b -> b.poolName(null)),
        bad("ticker", "null", b -> b.ticker(null)),
        bad("maxBrowserMemory", "0", b -> b.maxBrowserMemory(0)),
        bad("maxBrowserMemory", "-1", b -> b.maxBrowserMemory(-1)),
        bad("listener", "null", b -> b.listener(null)));
  }

  private static Arguments bad(String setting, String shownValue, Consumer<PoolConfig.Builder> action) {
    return Arguments.of(setting, shownValue.replace("\"\"", ""), action);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("invalid")
  void impossibleValuesAreRejectedWithTheSettingAndValue(String setting, String value,
      Consumer<PoolConfig.Builder> action) {
    assertThatThrownBy(() -> action.accept(PoolConfig.builder()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(setting)
        .hasMessageContaining(value);
  }
}
