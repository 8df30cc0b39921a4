package io.github.browserpool.chrome;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.Ticker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The timing rules of one close, called with chosen times: no process, no thread, no sleep. */
class CloseBudgetTest {
  private static final long MS = 1_000_000;
  /** Near the top of the nanoTime scale, so deadlines wrap past Long.MAX_VALUE. */
  private static final long NEAR_WRAP = Long.MAX_VALUE - 3_000 * MS;

  @Test
  void theBudgetSplitsIntoGracefulThenSigtermThenSigkill() {
    CloseBudget b = CloseBudget.startingAt(1_000 * MS, Duration.ofSeconds(1), Duration.ofSeconds(10));

    assertThat(b.start()).isEqualTo(1_000 * MS);
    assertThat(b.gracefulEnd()).isEqualTo(2_000 * MS);
    assertThat(b.termEnd()).isEqualTo(8_500 * MS);
    assertThat(b.deadline()).isEqualTo(11_000 * MS);
    assertThat(b.killEnd()).isEqualTo(12_000 * MS);
  }

  @Test
  void theGracefulStepGetsAtMostHalfTheBudget() {
    CloseBudget b = CloseBudget.startingAt(0, Duration.ofSeconds(5), Duration.ofSeconds(3));

    assertThat(b.gracefulEnd()).isEqualTo(1_500 * MS);
    assertThat(b.termEnd()).isEqualTo(2_250 * MS);
    assertThat(b.deadline()).isEqualTo(3_000 * MS);
  }

  @Test
  void noGracefulTimeoutEndsTheGracefulStepAtOnce() {
    CloseBudget b = CloseBudget.startingAt(7, Duration.ZERO, Duration.ofSeconds(2));

    assertThat(b.gracefulEnd()).isEqualTo(7);
    assertThat(b.termEnd()).isEqualTo(7 + 1_500 * MS);
  }

  @Test
  void aHugeBudgetSaturatesInsteadOfOverflowing() {
    CloseBudget b = CloseBudget.startingAt(0, Duration.ofSeconds(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE));

    assertThat(b.deadline()).isEqualTo(Long.MAX_VALUE / 4);
    assertThat(b.gracefulEnd()).isEqualTo(Long.MAX_VALUE / 8);
    assertThat(b.killEnd()).isGreaterThan(b.deadline());
    assertThat(Ticker.nanos(Duration.ofSeconds(Long.MIN_VALUE))).isZero();
    assertThat(Ticker.nanos(Duration.ofMillis(3))).isEqualTo(3 * MS);
    assertThat(Ticker.nanos(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE / 4);
    assertThat(Ticker.nanos(Duration.ofSeconds(-2))).as("a short negative one as it is").isEqualTo(-2_000 * MS);
  }

  @Test
  void deadlinesHoldAcrossTheWrapOfTheNanoTimeScale() {
    CloseBudget b = CloseBudget.startingAt(NEAR_WRAP, Duration.ofSeconds(1), Duration.ofSeconds(10));
    assertThat(b.deadline()).as("wrapped past Long.MAX_VALUE").isNegative();

    long justBefore = b.deadline() - 1;
    assertThat(CloseBudget.isBefore(NEAR_WRAP, b.deadline())).isTrue();
    assertThat(CloseBudget.isBefore(justBefore, b.deadline())).isTrue();
    assertThat(CloseBudget.isPast(justBefore, b.deadline())).isFalse();
    assertThat(CloseBudget.isPast(b.deadline() + 1, b.deadline())).isTrue();
    assertThat(CloseBudget.nanosLeft(NEAR_WRAP, b.deadline())).isEqualTo(10_000 * MS);
    assertThat(CloseBudget.finisherEnd(NEAR_WRAP) - NEAR_WRAP).isEqualTo(60_000 * MS);
  }

  @Test
  void atTheDeadlineItselfNeitherBeforeNorPast() {
    assertThat(CloseBudget.isBefore(5, 5)).isFalse();
    assertThat(CloseBudget.isPast(5, 5)).isFalse();
  }

  @Test
  void whatIsLeftNeverGoesBelowItsFloor() {
    assertThat(CloseBudget.nanosLeft(10 * MS, 4 * MS)).isZero();
    assertThat(CloseBudget.millisLeftAtLeastOne(10 * MS, 4 * MS)).isEqualTo(1);
    assertThat(CloseBudget.millisLeftAtLeastOne(0, MS / 2)).isEqualTo(1);
    assertThat(CloseBudget.millisLeftAtLeastOne(0, 250 * MS)).isEqualTo(250);
  }

  @Test
  void pollsBackOffFromFiveToFiftyMillisAndNeverSleepPastTheDeadline() {
    long poll = CloseBudget.POLL_MS;
    StringBuilder seen = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      seen.append(poll).append(' ');
      poll = CloseBudget.nextPoll(poll);
    }
    assertThat(seen.toString().trim()).isEqualTo("5 10 20 40 50 50");

    assertThat(CloseBudget.pollSleepMillis(40, 0, 1_000 * MS)).isEqualTo(40);
    assertThat(CloseBudget.pollSleepMillis(40, 0, 12 * MS)).as("cut to the deadline").isEqualTo(12);
    assertThat(CloseBudget.pollSleepMillis(40, 0, MS / 2)).as("at least 1 ms").isEqualTo(1);
    assertThat(CloseBudget.pollSleepMillis(40, 20 * MS, 12 * MS)).as("past it").isEqualTo(1);
    assertThat(CloseBudget.pollSleepMillis(5, NEAR_WRAP, NEAR_WRAP + 10_000 * MS)).as("across the wrap").isEqualTo(5);
  }
}
