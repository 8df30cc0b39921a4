package io.github.browserpool.cdp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The calls of one connection that wait for their reply, by wire id.
 *
 * <p>Every outgoing message gets a connection-wide id that stays within 1..{@link Integer#MAX_VALUE},
 * because Chromium rejects larger ids with an error that carries no id, which would leave the call waiting
 * forever. After a wrap-around, an id still waiting (a reply 2^31 calls late) is skipped. Thread-safe.
 */
final class PendingCalls {
  private final AtomicInteger lastId = new AtomicInteger();
  private final Map<Integer, PendingCall> pending = new ConcurrentHashMap<>();

  /** Registers {@code call} under a new wire id and returns that id. */
  int register(PendingCall call) {
    while (true) {
      int id = lastId.updateAndGet(last -> last >= Integer.MAX_VALUE || last < 0 ? 1 : last + 1);
      if (pending.putIfAbsent(id, call) == null) {
        return id;
      }
    }
  }

  /** Removes and returns the call waiting on wire id {@code id}, or null if none does. */
  PendingCall take(long id) {
    return id >= 0 && id <= Integer.MAX_VALUE ? pending.remove((int) id) : null;
  }

  /** Removes {@code call} if it still waits under {@code id}; if this returns true, the caller completes it. */
  boolean remove(int id, PendingCall call) {
    return pending.remove(id, call);
  }

  /** Fails every call waiting in session {@code sessionId} with {@code code} and {@code message}. */
  void failSession(String sessionId, long code, String message) {
    for (Map.Entry<Integer, PendingCall> entry : pending.entrySet()) {
      PendingCall call = entry.getValue();
      if (sessionId.equals(call.sessionId()) && pending.remove(entry.getKey(), call)) {
        call.fail(code, message);
      }
    }
  }

  /** Fails every call still waiting with {@code code} and {@code message}. */
  void failAll(long code, String message) {
    for (Integer id : pending.keySet()) {
      PendingCall call = pending.remove(id);
      if (call != null) {
        call.fail(code, message);
      }
    }
  }

  /** How many calls wait for a reply. */
  int size() {
    return pending.size();
  }

  /** Makes the next wire id {@code next} (tests of the wrap-around). */
  void setNextIdForTest(int next) {
    lastId.set(next - 1);
  }
}
