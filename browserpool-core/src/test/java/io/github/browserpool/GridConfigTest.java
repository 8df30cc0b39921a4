package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PoolConfig's Selenium Grid settings: what they keep, and what they reject with a message that says so. */
class GridConfigTest {
  @Test
  void gridSettingsAreKeptAndLocalOnesStayAtTheirDefaults() {
    PoolConfig c = PoolConfig.builder().seleniumGrid(URI.create("http://grid.example:4444/"))
        .gridCapabilities(Map.of("platformName", "linux")).build();
    assertThat(c.seleniumGrid()).isEqualTo(URI.create("http://grid.example:4444"));
    assertThat(c.gridCapabilities()).containsExactly(Map.entry("platformName", "linux"));
    assertThat(c.chromeExecutable()).isNull();
    assertThat(PoolConfig.builder().build().seleniumGrid()).isNull();
    assertThat(PoolConfig.builder().build().gridCapabilities()).isEmpty();
    assertThatThrownBy(() -> c.gridCapabilities().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void localOnlySettingsTogetherWithSeleniumGridAndBadGridValuesAreRejected() {
    URI g = URI.create("http://127.0.0.1:4444");
    assertThatThrownBy(() -> PoolConfig.builder().seleniumGrid(g).chromeExecutable(Path.of("/usr/bin/chromium")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chromeExecutable (/usr/bin/chromium) does not apply with seleniumGrid");
    assertThatThrownBy(() -> PoolConfig.builder().seleniumGrid(g).tempRoot(Path.of("/tmp")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tempRoot (/tmp) does not apply with seleniumGrid");
    assertThatThrownBy(() -> PoolConfig.builder().gridCapabilities(Map.of("platformName", "linux")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gridCapabilities apply only with seleniumGrid");
    assertThatThrownBy(() -> PoolConfig.builder().seleniumGrid(URI.create("ws://127.0.0.1:4444")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid seleniumGrid");
    assertThatThrownBy(() -> PoolConfig.builder().gridCapabilities(Map.of("browserpool:owner", "me")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leave out browserpool:owner");
    assertThatThrownBy(() -> PoolConfig.builder().seleniumGrid(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid seleniumGrid: null");
    assertThatThrownBy(() -> PoolConfig.builder().gridCapabilities(Map.of("x", new Object())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("values that are JSON");
  }
}
