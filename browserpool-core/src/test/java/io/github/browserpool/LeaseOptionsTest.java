package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** LeaseOptions: every bad value is refused with a message that names the option; no browser involved. */
class LeaseOptionsTest {
  @Test
  void badValuesNameTheirOption() {
    LeaseOptions.Builder b = LeaseOptions.builder();
    assertThatThrownBy(() -> b.userAgent(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("userAgent");
    assertThatThrownBy(() -> b.userAgent("Mozilla\r\nX-Injected: 1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("userAgent").hasMessageContaining("line breaks");
    assertThatThrownBy(() -> b.locale("german")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("locale").hasMessageContaining("\"german\"");
    assertThatThrownBy(() -> b.locale("de_DE")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("locale");
    assertThatThrownBy(() -> b.timezone("Mars/Olympus")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timezone").hasMessageContaining("Mars/Olympus");
    assertThatThrownBy(() -> b.timezone("+02:00")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timezone");
    assertThatThrownBy(() -> b.viewport(0, 600)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("viewport").hasMessageContaining("0x600");
    assertThatThrownBy(() -> b.viewport(800, LeaseOptions.MAX_VIEWPORT + 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("viewport");
    assertThatThrownBy(() -> b.userAgent(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("userAgent");
    assertThat(b.build()).as("refused values leave the builder as it was").isEqualTo(LeaseOptions.defaults());
  }

  @Test
  void goodValuesAreKept() {
    LeaseOptions o = LeaseOptions.builder().userAgent("MyCrawler/1.0").locale("de-DE")
        .timezone("Europe/Berlin").viewport(1280, 800).build();
    assertThat(o.userAgent()).isEqualTo("MyCrawler/1.0");
    assertThat(o.locale()).isEqualTo("de-DE");
    assertThat(o.timezone()).isEqualTo("Europe/Berlin");
    assertThat(o.viewportWidth()).isEqualTo(1280);
    assertThat(o.viewportHeight()).isEqualTo(800);
    assertThat(o.isDefault()).isFalse();
    assertThat(LeaseOptions.defaults().isDefault()).isTrue();
    assertThat(LeaseOptions.builder().timezone("UTC").build().timezone()).isEqualTo("UTC");
  }

  @Test
  void aPoolRefusesNullOptionsWithoutLaunching() {
    io.github.browserpool.pool.FakeLauncher launcher = new io.github.browserpool.pool.FakeLauncher();
    try (BrowserPool pool = FakePools.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("options-null").registerMBean(false).build(),
        launcher)) {
      assertThatThrownBy(() -> pool.acquire((LeaseOptions) null)).isInstanceOf(NullPointerException.class)
          .hasMessageContaining("LeaseOptions.defaults()");
      assertThat(launcher.launched).isEmpty();
    }
  }
}
