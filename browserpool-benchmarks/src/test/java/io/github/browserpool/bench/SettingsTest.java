package io.github.browserpool.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SettingsTest {
  private static Properties props(String... kv) {
    Properties p = new Properties();
    p.setProperty("java.io.tmpdir", "/tmp/bench-test");
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }

  @Test
  void allIsEveryStageButEndpointAndGridInRunningOrder() {
    Settings s = Settings.parse("all", props());
    assertThat(s.stages()).containsExactly(Stage.COLD, Stage.WARM, Stage.JMH, Stage.THROUGHPUT, Stage.RECLAIM,
        Stage.CLOSE, Stage.MEMORY, Stage.DENSE);
    assertThat(Settings.parse("", props()).stages()).isEqualTo(s.stages());
  }

  @Test
  void stagesRunInTheirOwnOrderWhateverTheOrderGiven() {
    assertThat(Settings.parse("grid,memory,cold,ENDPOINT", props()).stages())
        .containsExactly(Stage.COLD, Stage.MEMORY, Stage.ENDPOINT, Stage.GRID);
  }

  @Test
  void everyScriptArgumentOfTheUsageIsAStage() {
    for (String id : List.of("cold", "warm", "jmh", "throughput", "reclaim", "close", "memory", "dense", "endpoint",
        "grid")) {
      assertThat(Settings.parse(id, props()).stages()).extracting(st -> st.id).containsExactly(id);
    }
  }

  @Test
  void defaultsWithoutQuickAndQuickValuesWithIt() {
    Settings plain = Settings.parse("cold", props());
    Settings quick = Settings.parse("cold,quick", props());
    assertThat(plain.quick()).isFalse();
    assertThat(quick.quick()).isTrue();
    for (Knob k : Knob.values()) {
      assertThat(plain.get(k)).as(k.key).isEqualTo(k.defaultValue);
      assertThat(quick.get(k)).as(k.key).isEqualTo(k.quickValue);
      assertThat(k.quickValue).as(k.key).isGreaterThanOrEqualTo(k.min).isLessThanOrEqualTo(k.defaultValue);
    }
    assertThat(Settings.parse("--quick", props()).quick()).isTrue();
  }

  @Test
  void aSettingInTheListBeatsThePropertyWhichBeatsQuick() {
    Settings s = Settings.parse("all pages=60,quick", props("bench.pages", "70", "bench.coldReps", "4"));
    assertThat(s.get(Knob.PAGES)).isEqualTo(60);
    assertThat(s.get(Knob.COLD_REPS)).isEqualTo(4);
    assertThat(s.get(Knob.WARM_REPS)).isEqualTo(Knob.WARM_REPS.quickValue);
  }

  @Test
  void pathsComeFromTheirProperties() {
    Settings s = Settings.parse("cold", props("bench.chrome", "/opt/chromium", "bench.out", "/tmp/out"));
    assertThat(s.chrome()).isEqualTo(Path.of("/opt/chromium"));
    assertThat(s.out()).isEqualTo(Path.of("/tmp/out"));
    assertThat(s.tmp()).isEqualTo(Path.of("/tmp/bench-test"));
    assertThat(Settings.parse("cold", props()).chrome()).isEqualTo(Path.of("/usr/bin/chromium"));
    assertThat(Settings.parse("cold", props()).shell()).isEqualTo(Path.of("/usr/bin/chromium-headless-shell"));
    assertThat(Settings.parse("cold", props("bench.shell", "/opt/shell")).shell()).isEqualTo(Path.of("/opt/shell"));
  }

  @Test
  void sessionsIsAMeasureOfItsOwnNotInAll() {
    assertThat(Settings.parse("sessions,quick", props()).stages()).containsExactly(Stage.SESSIONS);
    assertThat(Settings.parse("all", props()).stages()).doesNotContain(Stage.SESSIONS);
    assertThat(Settings.parse("sessions,quick", props()).get(Knob.SESSION_KEYS)).isEqualTo(40);
    assertThat(Settings.parse("sessions", props()).get(Knob.SESSION_KEYS)).isEqualTo(1000);
  }

  @Test
  void anUnknownMeasureIsRejectedWithTheKnownOnes() {
    assertThatThrownBy(() -> Settings.parse("cold,colds", props()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown measure 'colds'").hasMessageContaining("endpoint (not in all)");
  }

  @Test
  void anUnknownSettingIsRejectedWithTheKnownOnes() {
    assertThatThrownBy(() -> Settings.parse("cold,pagez=3", props()))
        .hasMessageContaining("unknown setting 'pagez'").hasMessageContaining("naivePages");
  }

  @Test
  void aNumberThatIsNotOneOrTooSmallIsRejectedNamingWhereItCameFrom() {
    assertThatThrownBy(() -> Settings.parse("cold,pages=abc", props()))
        .hasMessageStartingWith("pages=abc: not a whole number");
    assertThatThrownBy(() -> Settings.parse("cold,coldReps=0", props()))
        .hasMessageStartingWith("coldReps=0: must be at least 1");
    assertThatThrownBy(() -> Settings.parse("cold", props("bench.warmReps", "-1")))
        .hasMessageStartingWith("-Dbench.warmReps=-1: must be at least 1");
    assertThat(Settings.parse("cold,denseWorkMs=0", props()).get(Knob.DENSE_WORK_MS)).isZero();
  }

  @Test
  void theSettingsCannotBeChanged() {
    Settings s = Settings.parse("cold", props());
    assertThatThrownBy(() -> s.numbers().put(Knob.PAGES, 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.stages().add(Stage.GRID)).isInstanceOf(UnsupportedOperationException.class);
  }
}
