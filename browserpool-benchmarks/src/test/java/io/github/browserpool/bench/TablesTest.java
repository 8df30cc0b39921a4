package io.github.browserpool.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The table format README's tables are compared against: median, n, min, max, ratio. */
class TablesTest {
  @Test
  void aTableGivesMedianCountMinMaxAndTheRatioToItsReference() {
    Results r = new Results();
    for (double v : new double[] {100, 300, 200}) {
      r.add("cold", "limit", v);
    }
    r.add("cold", "pool", 50);
    r.add("cold", "pool", 150);
    r.fail("cold", "other", new IllegalStateException("boom\nmore"));
    r.note("cold", "naive", "n/a: no pool");
    StringBuilder sb = new StringBuilder();
    new Tables(sb, r).table("1. Cold", "cold", List.of("limit", "pool", "other", "naive"), "limit", false, "A note.");
    assertThat(sb.toString()).isEqualTo("### 1. Cold\n\n"
        + "| contender | median | n | min | max | ratio to limit |\n|---|---:|---:|---:|---:|---:|\n"
        + "| limit | 200 | 3 | 100 | 300 | 1.00x |\n"
        + "| pool | 100 | 2 | 50.0 | 150 | 0.50x |\n"
        + "| other | not measured: failed 1x, last: java.lang.IllegalStateException: boom more | 0 | | | |\n"
        + "| naive | n/a: no pool | 0 | | | |\n"
        + "\nA note.\n\n");
  }

  @Test
  void withoutAReferenceTheRatioIsToTheBestAndAMeasureThatDidNotRunHasNoTable() {
    Results r = new Results();
    r.add("tput2", "a", 2);
    r.add("tput2", "b", 4);
    StringBuilder sb = new StringBuilder();
    Tables t = new Tables(sb, r);
    t.table("4a", "tput2", List.of("a", "b"), null, true, null);
    t.table("4b", "tput4", List.of("a", "b"), null, true, null);
    assertThat(sb.toString())
        .contains("| a | 2.00 | 1 | 2.00 | 2.00 | 0.50x |", "| b | 4.00 | 1 | 4.00 | 4.00 | 1.00x |")
        .doesNotContain("4b");
  }

  @Test
  void aContenderThatFailedThreeTimesSitsOut() {
    Results r = new Results();
    for (int i = 0; i < Results.MAX_FAILURES; i++) {
      assertThat(r.failedOut("m", "c")).isFalse();
      r.fail("m", "c", new RuntimeException());
    }
    assertThat(r.failedOut("m", "c")).isTrue();
    assertThat(r.complete()).isFalse();
  }
}
