package io.github.browserpool.cdp;

import io.github.browserpool.CdpSessionClosedException;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Where each message read from the pipe goes, routed by hand on the test's thread. */
class MessageRouterTest {
  private final ConnectionParts parts = new ConnectionParts();
  private final MessageRouter router = parts.router;
  private final List<String> browserEvents = new CopyOnWriteArrayList<>();

  MessageRouterTest() {
    router.addEventListener((method, params) -> browserEvents.add(method + " " + params));
  }

  @Test
  void aReplyGoesToTheCallWaitingOnItsIdAndNoOther() {
    RecordingCall first = new RecordingCall(null);
    RecordingCall second = new RecordingCall("S1");
    parts.pending.register(first);
    int secondId = parts.pending.register(second);

    router.route("{\"id\":" + secondId + ",\"result\":{\"v\":2},\"sessionId\":\"S1\"}");
    router.route("{\"id\":" + secondId + ",\"result\":{\"v\":3}}"); // a second reply to the same id: dropped

    assertThat(second.ends).containsExactly("reply {\"id\":" + secondId + ",\"result\":{\"v\":2},\"sessionId\":\"S1\"}");
    assertThat(first.ends).isEmpty();
    assertThat(parts.pending.size()).isEqualTo(1);
    assertThat(browserEvents).isEmpty();
  }

  @Test
  void eventsGoToTheirSessionOrRawRouteByIdAndTheRestToTheBrowserListeners() {
    List<String> toS1 = new CopyOnWriteArrayList<>();
    List<String> toS2 = new CopyOnWriteArrayList<>();
    parts.session("S1", "T1").addMessageHandler(toS1::add);
    parts.session("S2", "T2").addMessageHandler(toS2::add);
    List<String> toRoute = new CopyOnWriteArrayList<>();
    RawRoute route = parts.rawRoutes.open(listener(toRoute));
    route.addSession("R1");

    router.route("{\"method\":\"Page.loadEventFired\",\"params\":{},\"sessionId\":\"S2\"}");
    router.route("{\"method\":\"Runtime.consoleAPICalled\",\"params\":{},\"sessionId\":\"R1\"}");
    router.route("{\"method\":\"Page.loadEventFired\",\"params\":{},\"sessionId\":\"nobody\"}");
    router.route("{\"method\":\"Target.targetCreated\"}");

    assertThat(toS1).isEmpty();
    assertThat(toS2).containsExactly("{\"method\":\"Page.loadEventFired\",\"params\":{},\"sessionId\":\"S2\"}");
    assertThat(toRoute).containsExactly(
        "R1 Runtime.consoleAPICalled {\"method\":\"Runtime.consoleAPICalled\",\"params\":{},\"sessionId\":\"R1\"}");
    assertThat(browserEvents).containsExactly("Target.targetCreated {}");
  }

  @Test
  void aDetachFailsThePendingCallsOfThatSessionOnlyAndStillReachesTheListeners() {
    CdpSession one = parts.session("S1", "T1");
    CdpSession two = parts.session("S2", "T2");
    RecordingCall inOne = new RecordingCall("S1");
    RecordingCall inTwo = new RecordingCall("S2");
    RecordingCall browserLevel = new RecordingCall(null);
    parts.pending.register(inOne);
    parts.pending.register(inTwo);
    parts.pending.register(browserLevel);

    router.route("{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"S1\",\"targetId\":\"T1\"}}");

    assertThat(inOne.ends).singleElement().asString()
        .startsWith("fail " + CdpSessionClosedException.CODE + " [parts] CDP session S1 (target T1) is gone: ")
        .contains("Target.detachedFromTarget");
    assertThat(one.closed()).isTrue();
    assertThat(parts.sessions.get("S1")).as("forgotten").isNull();
    assertThat(inTwo.ends).isEmpty();
    assertThat(browserLevel.ends).isEmpty();
    assertThat(two.closed()).isFalse();
    assertThat(browserEvents).containsExactly("Target.detachedFromTarget {\"sessionId\":\"S1\",\"targetId\":\"T1\"}");
  }

  @Test
  void aDetachEndsTheRawRouteThatCarriesTheSession() {
    List<String> toRoute = new CopyOnWriteArrayList<>();
    RawRoute route = parts.rawRoutes.open(listener(toRoute));
    route.addSession("R1");

    router.route("{\"method\":\"Target.detachedFromTarget\",\"params\":{\"sessionId\":\"R1\"}}");

    assertThat(route.isClosed()).isTrue();
    assertThat(toRoute).containsExactly("closed its session was detached (Target.detachedFromTarget)");
    assertThat(parts.rawRoutes.get("R1")).isNull();
  }

  @Test
  void aCrashReachesTheSessionFirstThenEndsItsCalls() {
    List<String> toS1 = new CopyOnWriteArrayList<>();
    CdpSession session = parts.session("S1", "T1");
    session.addMessageHandler(toS1::add);
    RecordingCall inS1 = new RecordingCall("S1");
    parts.pending.register(inS1);

    router.route("{\"method\":\"Inspector.targetCrashed\",\"params\":{},\"sessionId\":\"S1\"}");

    assertThat(toS1).containsExactly("{\"method\":\"Inspector.targetCrashed\",\"params\":{},\"sessionId\":\"S1\"}");
    assertThat(inS1.ends).singleElement().asString().contains("its target crashed (Inspector.targetCrashed)");
    assertThat(session.closed()).isTrue();
  }

  @Test
  void aMessageThatCannotBeHandledIsDroppedAndTheNextOneIsRouted() {
    RecordingCall call = new RecordingCall(null);
    int id = parts.pending.register(call);
    router.addEventListener((method, params) -> {
      throw new IllegalStateException("listener bug");
    });

    router.route("not json at all");
    router.route("{\"result\":{}}"); // neither a reply nor an event
    router.route("{\"method\":\"A.a\"}");
    router.route("{\"id\":" + id + ",\"result\":{}}");

    assertThat(browserEvents).containsExactly("A.a {}");
    assertThat(call.ends).containsExactly("reply {\"id\":" + id + ",\"result\":{}}");
  }

  private static RawRoute.Listener listener(List<String> into) {
    return new RawRoute.Listener() {
      @Override
      public void message(String text, String sessionId, String method) {
        into.add(sessionId + " " + method + " " + text);
      }

      @Override
      public void closed(String reason) {
        into.add("closed " + reason);
      }
    };
  }
}
