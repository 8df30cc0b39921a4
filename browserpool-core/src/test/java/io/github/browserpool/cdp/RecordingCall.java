package io.github.browserpool.cdp;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A pending call that records how it ended: "reply <text>" or "fail <code> <message>". */
final class RecordingCall implements PendingCall {
  private final String sessionId;
  final List<String> ends = new CopyOnWriteArrayList<>();

  RecordingCall(String sessionId) {
    this.sessionId = sessionId;
  }

  @Override
  public String sessionId() {
    return sessionId;
  }

  @Override
  public void reply(String text, Envelope envelope) {
    ends.add("reply " + text);
  }

  @Override
  public void fail(long code, String message) {
    ends.add("fail " + code + " " + message);
  }
}
