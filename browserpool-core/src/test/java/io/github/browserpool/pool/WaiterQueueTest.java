package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The waiter hand-off: first come, first served, and nothing lost between a grant and a withdrawal. */
class WaiterQueueTest {
  private final WaiterQueue queue = new WaiterQueue();

  @Test
  void waitersAreServedInOrderAndAnUnservedOneKeepsItsPlace() throws Exception {
    WaiterQueue.Waiter a = queue.enqueue("a");
    WaiterQueue.Waiter b = queue.enqueue(null);
    WaiterQueue.Waiter c = queue.enqueue("c");
    PoolEntry forA = new PoolEntry(1, 0, 1);
    PoolEntry forC = new PoolEntry(2, 0, 1);
    queue.dispatch(key -> key == null ? null : key.equals("a") ? forA : forC);
    assertThat(a.await(1)).isSameAs(forA);
    assertThat(c.await(1)).isSameAs(forC);
    assertThat(queue.size()).isEqualTo(1);
    assertThatThrownBy(() -> b.await(0)).isInstanceOf(TimeoutException.class);
  }

  @Test
  void aGrantThatRacesTheWithdrawalIsHandedBackToTheCaller() {
    WaiterQueue.Waiter w = queue.enqueue(null);
    PoolEntry e = new PoolEntry(1, 0, 1);
    queue.dispatch(key -> e);
    assertThat(queue.withdraw(w)).as("granted just as the wait ended").isSameAs(e);
    WaiterQueue.Waiter late = queue.enqueue(null);
    assertThat(queue.withdraw(late)).isNull();
    queue.dispatch(key -> e);
    assertThat(queue.isEmpty()).as("a withdrawn waiter is never served").isTrue();
  }

  @Test
  void closingFailsEveryWaiter() {
    WaiterQueue.Waiter w = queue.enqueue(null);
    queue.failAll(new IllegalStateException("closed"));
    assertThat(queue.isEmpty()).isTrue();
    assertThatThrownBy(() -> w.await(1_000_000)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
  }
}
