package io.github.browserpool.cdp;

import io.github.browserpool.CdpSessionClosedException;
import io.github.browserpool.CdpConnectionClosedException;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Wire ids and the calls waiting on them. */
class PendingCallsTest {
  private final PendingCalls pending = new PendingCalls();

  @Test
  void idsCountFromOneAndEachCallIsTakenByItsOwnIdOnce() {
    RecordingCall a = new RecordingCall(null);
    RecordingCall b = new RecordingCall("S1");
    assertThat(pending.register(a)).isEqualTo(1);
    assertThat(pending.register(b)).isEqualTo(2);

    assertThat(pending.take(2)).isSameAs(b);
    assertThat(pending.take(2)).as("taken once").isNull();
    assertThat(pending.take(7)).as("never sent").isNull();
    assertThat(pending.take(-1)).isNull();
    assertThat(pending.take(1L + Integer.MAX_VALUE)).as("beyond any wire id").isNull();
    assertThat(pending.size()).isEqualTo(1);
    assertThat(pending.take(1)).isSameAs(a);
  }

  @Test
  void idsWrapAroundWithinPositiveIntsAndSkipAnIdStillWaiting() {
    RecordingCall stillWaiting = new RecordingCall(null);
    assertThat(pending.register(stillWaiting)).isEqualTo(1);
    pending.setNextIdForTest(Integer.MAX_VALUE);
    assertThat(pending.register(new RecordingCall(null))).isEqualTo(Integer.MAX_VALUE);
    assertThat(pending.register(new RecordingCall(null))).as("1 is still waiting").isEqualTo(2);
  }

  @Test
  void removeTakesOnlyThatCallUnderThatId() {
    RecordingCall call = new RecordingCall(null);
    int id = pending.register(call);
    assertThat(pending.remove(id, new RecordingCall(null))).isFalse();
    assertThat(pending.remove(id, call)).isTrue();
    assertThat(pending.remove(id, call)).as("whoever removed it completes it").isFalse();
  }

  @Test
  void failSessionFailsOnlyTheCallsInThatSession() {
    RecordingCall inS1 = new RecordingCall("S1");
    RecordingCall alsoInS1 = new RecordingCall("S1");
    RecordingCall inS2 = new RecordingCall("S2");
    RecordingCall browserLevel = new RecordingCall(null);
    pending.register(inS1);
    pending.register(inS2);
    pending.register(alsoInS1);
    int browserId = pending.register(browserLevel);

    pending.failSession("S1", CdpSessionClosedException.CODE, "S1 is gone");

    assertThat(inS1.ends).containsExactly("fail -39002 S1 is gone");
    assertThat(alsoInS1.ends).containsExactly("fail -39002 S1 is gone");
    assertThat(inS2.ends).isEmpty();
    assertThat(browserLevel.ends).isEmpty();
    assertThat(pending.size()).isEqualTo(2);
    assertThat(pending.take(browserId)).isSameAs(browserLevel);
  }

  @Test
  void failAllFailsEveryCallOnceAndLeavesNothing() {
    RecordingCall one = new RecordingCall(null);
    RecordingCall two = new RecordingCall("S1");
    pending.register(one);
    pending.register(two);

    pending.failAll(CdpConnectionClosedException.CODE, "closed");
    pending.failAll(CdpConnectionClosedException.CODE, "closed again");

    assertThat(one.ends).containsExactly("fail -39001 closed");
    assertThat(two.ends).containsExactly("fail -39001 closed");
    assertThat(pending.size()).isZero();
  }
}
