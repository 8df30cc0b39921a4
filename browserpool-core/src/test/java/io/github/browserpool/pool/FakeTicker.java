package io.github.browserpool.pool;

import io.github.browserpool.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A hand-driven clock. It starts near Long.MAX_VALUE so that deadline arithmetic that overflows fails tests. */
public final class FakeTicker implements Ticker {
  private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - Duration.ofDays(1).toNanos());

  @Override
  public long read() {
    return now.get();
  }

  public void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }
}
