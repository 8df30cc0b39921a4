package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a decision leaves to do: the reaper's next deadline is the earliest one asked for. */
class EffectsTest {
  private static final long T0 = Long.MAX_VALUE - Duration.ofDays(1).toNanos(); // near overflow on purpose

  @Test
  void noDeadlineUntilOneIsAskedFor() {
    assertThat(new Effects().wakes()).isFalse();
  }

  @Test
  void theEarliestDeadlineWinsAcrossTheOverflow() {
    Effects fx = new Effects();
    long late = T0 + Duration.ofDays(2).toNanos(); // wraps past Long.MAX_VALUE
    fx.wakeBy(late);
    assertThat(fx.wakeAt()).isEqualTo(late);
    fx.wakeBy(T0);
    fx.wakeBy(late);
    assertThat(fx.wakes()).isTrue();
    assertThat(fx.wakeAt()).isEqualTo(T0);
  }

  @Test
  void whatIsRecordedIsKeptInOrder() {
    Effects fx = new Effects();
    PoolEntry a = new PoolEntry(1, T0, 1);
    PoolEntry b = new PoolEntry(2, T0, 1);
    fx.close(b);
    fx.close(a);
    fx.warmUp(a);
    assertThat(fx.closes()).containsExactly(b, a);
    assertThat(fx.warmUps()).containsExactly(a);
    assertThat(fx.disposals()).isEmpty();
    assertThat(fx.joinedWaiter()).isFalse();
    fx.waiterJoined();
    assertThat(fx.joinedWaiter()).isTrue();
  }
}
