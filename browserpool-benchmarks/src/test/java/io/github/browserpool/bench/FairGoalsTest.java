package io.github.browserpool.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.BrowserBinary;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The issue 19 goal table: each row's ratio has the right numerator, denominator and direction, and a
 * missed goal says by how much.
 */
class FairGoalsTest {
  private static final String SHELL_8 = DensePools.name(8);
  private static final String CHROMIUM_8 = DensePools.name(8, BrowserBinary.CHROMIUM);

  private final Results r = new Results();

  private String table() {
    Properties p = new Properties();
    p.setProperty("java.io.tmpdir", "/tmp/bench-test");
    return new FairGoals(r, Settings.parse("all", p)).table();
  }

  /** The row whose first cell starts with {@code measure}. */
  private String row(String measure) {
    return Arrays.stream(table().split("\n")).filter(l -> l.startsWith("| " + measure)).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + measure + " in\n" + table()));
  }

  @Test
  void nothingMeasuredMeansNoSection() {
    assertThat(table()).isEmpty();
  }

  @Test
  void theColdLeaseIsMeasuredAgainstTheLimitOnItsOwnBinary() {
    r.add(ColdLeaseMeasure.M, Env.LIMIT, 100);
    r.add(ColdLeaseMeasure.M, Env.BP, 110);
    r.add(ColdLeaseMeasure.M, Env.LIMIT_CHROMIUM, 200);
    r.add(ColdLeaseMeasure.M, Env.BP_CHROMIUM, 300);
    assertThat(row("cold lease")).contains("| 110 (1.10x) | 300 (1.50x) |")
        .endsWith("| yes / no: 1.50x the limit, over by 0.40x |");
  }

  @Test
  void throughputIsAgainstTheFasterPlaywrightAndHigherIsBetter() {
    String m = DenseThroughputPart.measure(2);
    r.add(m, Env.PW, 3);
    r.add(m, DensePssPart.PW_ONE, 4);
    r.add(m, SHELL_8, 6);
    r.add(m, CHROMIUM_8, 3);
    assertThat(row("isolated throughput, 2 workers")).contains("| 6.00 (1.50x) | 3.00 (0.75x) |")
        .endsWith("| yes / no: 0.75x, short by 0.75x |");
  }

  @Test
  void pssMustBeUnderThirtyAndHalfOfPlaywrightsOneBrowser() {
    r.add(DensePssPart.M_PSS, DensePssPart.PW_ONE, 30);
    r.add(DensePssPart.M_PSS, SHELL_8, 14);
    r.add(DensePssPart.M_PSS, CHROMIUM_8, 40);
    assertThat(row("PSS per concurrent")).contains("| 14.0 (0.47x) | 40.0 (1.33x) |")
        .endsWith("| yes / no: over 30.0 MiB by 10.0, 1.33x Playwright, not <= 0.50x |");
  }

  @Test
  void theEndpointRowIsAgainstPlaywrightAloneAndEightyMs() {
    r.add(EndpointMeasure.M_FIRST, Env.PW, 150);
    r.add(EndpointMeasure.M_FIRST, Env.BP, 70);
    r.add(EndpointMeasure.M_FIRST, Env.BP_CHROMIUM, 90);
    assertThat(row("Playwright through the endpoint")).contains("| 70.0 (0.47x) | 90.0 (0.60x) |")
        .endsWith("| yes / no: over 80.0 ms by 10.0, 0.60x Playwright, not <= 0.50x |");
  }

  @Test
  void closeMustNotBeSlowerThanPlaywright() {
    r.add(CloseMeasure.M, Env.PW, 1000);
    r.add(CloseMeasure.M, Env.BP, 900);
    r.add(CloseMeasure.M, Env.BP_CHROMIUM, 1100);
    assertThat(row("close()")).endsWith("| yes / no: 1.10x Playwright, over by 0.10x |");
  }

  @Test
  void theWarmLeaseIsJudgedOnItsMedianAndP90() {
    for (int i = 1; i <= 10; i++) {
      r.add(DenseWarmPart.M_WORK, SHELL_8, i); // median 5.5, p90 9-10
      r.add(DenseWarmPart.M_WORK, CHROMIUM_8, 4);
    }
    assertThat(row("warm lease")).contains("no: median over by").doesNotContain("p90 over")
        .endsWith(" / yes |");
  }
}
