package io.github.browserpool.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress line on a terminal and in a log, driven by a hand-set clock (nothing sleeps). */
class ProgressTest {
  private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 10_000_000_000L); // overflows 10 s in, as nanoTime may
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

  /** Ticks every {@link Progress#TICK} for {@code seconds}, one page per tick, then finishes. */
  private String run(boolean terminal, int seconds) {
    Progress progress = new Progress(out, terminal, now::get);
    int ticks = (int) (seconds * 1000L / Progress.TICK.toMillis());
    for (int i = 0; i <= ticks; i++) {
      progress.tick(i, ticks, 2);
      now.addAndGet(Progress.TICK.toNanos());
    }
    progress.finish(ticks, ticks, 0);
    return buffer.toString(StandardCharsets.UTF_8);
  }

  @Test
  void inALogEveryFiveSecondsOnePlainLineAndAFinalOne() {
    String log = run(false, 60); // 301 ticks

    assertThat(log).doesNotContain("\r");
    assertThat(log.lines()).hasSize(60 / 5 + 1)
        .allMatch(line -> line.matches("pages \\d+/300  \\d+\\.\\d pages/s  browsers alive \\d"));
    assertThat(log.lines().findFirst()).hasValue("pages 25/300  5.0 pages/s  browsers alive 2");
    assertThat(log).endsWith("pages 300/300  5.0 pages/s  browsers alive 0" + System.lineSeparator());
  }

  @Test
  void aShortRunInALogWritesOnlyTheFinalLine() {
    String log = run(false, 3);

    assertThat(log).isEqualTo("pages 15/15  4.7 pages/s  browsers alive 0" + System.lineSeparator());
  }

  @Test
  void onATerminalTheLineIsRewrittenAtEveryTickAndEndedOnce() {
    String screen = run(true, 2); // 11 ticks

    assertThat(screen.chars().filter(c -> c == '\r')).hasSize(11 + 1);
    assertThat(screen.chars().filter(c -> c == '\n')).hasSize(1);
    assertThat(screen).startsWith("\rpages 0/10  0.0 pages/s  browsers alive 2\rpages 1/10")
        .endsWith("\rpages 10/10  4.5 pages/s  browsers alive 0" + System.lineSeparator());
  }

  @Test
  void onATerminalAShorterLineCoversTheLongerOneBeforeIt() {
    Progress progress = new Progress(out, true, now::get);
    progress.tick(3, 10, 12);
    progress.finish(3, 10, 0);

    assertThat(buffer.toString(StandardCharsets.UTF_8)).isEqualTo(
        "\rpages 3/10  3000.0 pages/s  browsers alive 12"
            + "\rpages 3/10  3000.0 pages/s  browsers alive 0 " + System.lineSeparator());
  }
}
