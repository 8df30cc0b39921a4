package io.github.browserpool.cdp;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.kklisura.cdt.protocol.types.target.TargetInfo;
import com.github.kklisura.cdt.services.exceptions.ChromeDevToolsInvocationException;
import io.github.browserpool.CdpException;

/**
 * Keeps a page of a shared browser from learning of other contexts' targets through {@code
 * Target.getTargetInfo}, which Chromium answers on a page session for any target id of the browser. A
 * reply about a target outside the guard's context ({@link CallGuard#confinedToContext()}) is replaced by
 * the error Chromium gives for an unknown id, as the lease's endpoint does.
 */
final class TargetInfoScope {
  static final String METHOD = "Target.getTargetInfo";
  /** Chromium's own code and words for an unknown target id. */
  static final long NO_TARGET_CODE = -32602;
  static final String NO_TARGET = "No target with given id found";

  private TargetInfoScope() {}

  /** The typed API's result, or cdt's error for an unknown target when it names a target outside the context. */
  static Object typed(CallGuard guard, String method, Object result) {
    if (result instanceof TargetInfo info && METHOD.equals(method)
        && outside(guard.confinedToContext(), info.getBrowserContextId())) {
      throw new ChromeDevToolsInvocationException(NO_TARGET_CODE, NO_TARGET);
    }
    return result;
  }

  /** A raw page's result, or Chromium's error for an unknown target when it names a target outside the context. */
  static JsonNode raw(CallGuard guard, String method, JsonNode result) {
    if (METHOD.equals(method) && result != null
        && outside(guard.confinedToContext(), result.path("targetInfo").path("browserContextId").asText(null))) {
      throw new CdpException(NO_TARGET_CODE, NO_TARGET);
    }
    return result;
  }

  private static boolean outside(String context, String targetContext) {
    return context != null && !context.equals(targetContext);
  }
}
