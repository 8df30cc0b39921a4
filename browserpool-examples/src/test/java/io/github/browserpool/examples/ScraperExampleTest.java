package io.github.browserpool.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolStats;
import io.github.browserpool.test.LeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs the scraper's crawl on a smaller site and checks every page and every leftover. */
@Tag("chromium")
class ScraperExampleTest {
  private static final int PAGES = 30;

  @Test
  void crawlerVisitsEveryPageOnceWithItsTitle() throws Exception {
    Path tempRoot = Files.createTempDirectory("scraper-test-").toRealPath();
    Crawler.Result result;
    PoolStats afterClose;
    Map<String, String> expected = new TreeMap<>();
    try (DemoSite site = DemoSite.start(PAGES)) {
      for (int n = 0; n < PAGES; n++) {
        expected.put(site.url(n), "Page " + n);
      }
      BrowserPool pool = BrowserPool.start(PoolConfig.builder()
          .poolName("scraper-test")
          .maxBrowsers(2)
          .acquireTimeout(Duration.ofMinutes(2))
          .tempRoot(tempRoot)
          .build());
      try {
        result = new Crawler(pool, 4).crawl(site.startUrl(), Duration.ofMinutes(5));
        assertThat(pool.stats().total()).as("browsers alive after the crawl (kept warm)").isBetween(1, 2);
      } finally {
        pool.close();
      }
      afterClose = pool.stats();
    }

    assertThat(result.failures()).isEmpty();
    assertThat(result.titles()).isEqualTo(expected);
    assertThat(result.pages()).isEqualTo(PAGES);
    assertThat(afterClose.total()).isZero();
    assertThat(afterClose.closed()).isEqualTo(afterClose.launched());
    assertThat(LeakCheck.leftovers(tempRoot)).isEmpty();
    Files.delete(tempRoot);
  }

  @Test
  void runReportsSuccessAndCleansUp() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int pages = 12; // the crawl itself is covered above; this checks run()'s checks and summary
    List<String> problems = ScraperExample.run(pages, new PrintStream(buffer, true, StandardCharsets.UTF_8));
    String output = buffer.toString(StandardCharsets.UTF_8);

    assertThat(problems).as(output).isEmpty();
    assertThat(output)
        .contains("pages " + pages + "/" + pages)
        .contains(pages + " crawled, 0 failed")
        .contains("clean (no process, no profile dir), deleted");
    // Not a terminal: plain progress lines, one per 5 s of crawling plus the final count, and no \r
    // (scripts/example.sh > log once wrote hundreds of \r updates as one line).
    assertThat(output).doesNotContain("\r");
    double seconds = Double.parseDouble(output.replaceAll("(?s).*wall time  ([0-9.]+) s.*", "$1"));
    assertThat(output.lines().filter(line -> line.startsWith("pages ") && line.contains("pages/s")))
        .as(output).hasSizeBetween(1, (int) (seconds / Progress.PLAIN_INTERVAL.toSeconds()) + 2);
  }
}
