package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A built config keeps its own frozen copy of the values: the builder's later use cannot reach it. */
class ConfigValuesTest {
  @Test
  void aConfigDoesNotChangeWhenItsBuilderGoesOn() {
    PoolListener a = new PoolListener() {};
    PoolConfig.Builder b = PoolConfig.builder().seleniumGrid(URI.create("http://grid:4444/"))
        .maxBrowsers(2).addChromeArguments("--lang=en-US").listener(a)
        .gridCapabilities(Map.of("platformName", "linux"));
    PoolConfig first = b.build();

    b.maxBrowsers(3).addChromeArguments("--mute-audio").listener(new PoolListener() {})
        .gridCapabilities(Map.of("browserVersion", "120"));
    PoolConfig second = b.build();

    assertThat(first.maxBrowsers()).isEqualTo(2);
    assertThat(first.chromeArguments()).containsExactly("--lang=en-US");
    assertThat(first.listeners()).containsExactly(a);
    assertThat(first.gridCapabilities()).containsExactly(Map.entry("platformName", "linux"));
    assertThat(first.seleniumGrid()).isEqualTo(URI.create("http://grid:4444"));
    assertThat(second.maxBrowsers()).isEqualTo(3);
    assertThat(second.chromeArguments()).containsExactly("--lang=en-US", "--mute-audio");
    assertThat(second.gridCapabilities()).containsExactly(Map.entry("browserVersion", "120"));
    assertThat(second.poolName()).isNotEqualTo(first.poolName()).startsWith("browserpool-");
  }

  @Test
  void theConfigsListsAndMapsCannotBeChanged() {
    PoolConfig c = PoolConfig.builder().seleniumGrid(URI.create("http://grid:4444"))
        .addChromeArguments("--lang=en-US").gridCapabilities(Map.of("platformName", "linux")).build();

    assertThatThrownBy(() -> c.chromeArguments().add("--x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> c.listeners().add(new PoolListener() {})).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> c.gridCapabilities().put("k", "v")).isInstanceOf(UnsupportedOperationException.class);
  }
}
