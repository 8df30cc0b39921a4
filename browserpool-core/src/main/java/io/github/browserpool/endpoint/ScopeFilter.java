package io.github.browserpool.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The confinement rules of a lease's endpoint: what a client's command may do, and which targets it may
 * see. Logic over JSON (and the windows it learned); {@link CdpRelay} applies it.
 *
 * <p>What a method may do at all is {@link CdpAllowList}'s decision; this class adds the checks of its
 * {@code SCOPED} methods. A client sees its lease's browser context as the browser's only (default)
 * context. It may not name a context, target, session or window outside its lease. Commands that act on
 * "the default context" when they name none (createTarget, cookies, permissions, downloads) get the
 * lease's context filled in, on page sessions too. The filter is the lease's: it remembers the windows of the
 * lease's pages for all of the lease's clients.
 */
final class ScopeFilter {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What to do with one command. */
  enum Action {
    /** Send it on (params may have been completed). */
    FORWARD,
    /** Answer with an error; {@code detail} says why. */
    REFUSE,
    /** Answer with {@code answer} without asking Chromium. */
    ANSWER,
    /** Send it on once target {@code detail} is known to be in scope. */
    CHECK_TARGET,
    /** Send it on if session {@code detail} is the client's own. */
    CHECK_SESSION,
    /** Send it on and keep only in-scope targets in the reply (Target.getTargets). */
    FILTER_TARGETS,
    /** Send it on and remember the created target (Target.createTarget). */
    CREATE_TARGET
  }

  record Verdict(Action action, String detail, JsonNode answer) {
    static final Verdict FORWARD = new Verdict(Action.FORWARD, null, null);

    static Verdict refuse(String why) {
      return new Verdict(Action.REFUSE, why, null);
    }
  }

  /** Methods that act on a target named by {@code params.targetId}. */
  private static final Set<String> TARGETED = Set.of(
      "Target.attachToTarget", "Target.closeTarget", "Target.activateTarget", "Target.getTargetInfo",
      "Target.autoAttachRelated", "Target.detachFromTarget", "Browser.getWindowForTarget");

  /** Methods that act on a window named by {@code params.windowId}. */
  private static final Set<String> WINDOWED = Set.of(
      "Browser.getWindowBounds", "Browser.setWindowBounds", "Browser.setContentsSize");

  private final String contextId;
  private final boolean isolated;
  private final String hiddenTargetId;
  private final boolean sharedBrowser;
  /** Targets clients must not see for now (the lease's prepared page until a client is served it). */
  private final Predicate<String> hiddenForNow;
  /** Windows of the lease's pages, learned from Browser.getWindowForTarget replies. */
  private final Set<Long> windows = ConcurrentHashMap.newKeySet();

  /**
   * @param contextId the lease's context (for a keyed lease, the id of the browser's default context)
   * @param isolated whether it is an isolated context, which commands naming no context must be bound to
   * @param hiddenTargetId a target of the context that clients must not see (the keeper page), or null
   */
  ScopeFilter(String contextId, boolean isolated, String hiddenTargetId) {
    this(contextId, isolated, hiddenTargetId, true, id -> false);
  }

  /**
   * @param sharedBrowser whether other leases may share the browser: then {@link CdpAllowList.Access#ALONE}
   *     methods (tracing) are refused
   */
  ScopeFilter(String contextId, boolean isolated, String hiddenTargetId, boolean sharedBrowser) {
    this(contextId, isolated, hiddenTargetId, sharedBrowser, id -> false);
  }

  /** As above, also hiding the targets {@code hiddenForNow} names while it names them ({@link WarmPage#hides}). */
  ScopeFilter(String contextId, boolean isolated, String hiddenTargetId, boolean sharedBrowser,
      Predicate<String> hiddenForNow) {
    this.contextId = Objects.requireNonNull(contextId, "contextId");
    this.isolated = isolated;
    this.hiddenTargetId = hiddenTargetId;
    this.sharedBrowser = sharedBrowser;
    this.hiddenForNow = Objects.requireNonNull(hiddenForNow, "hiddenForNow");
  }

  String contextId() {
    return contextId;
  }

  /**
   * Whether {@link #command} reads the params of {@code method} (it does for every method that is not
   * {@code PAGE} or {@code BOTH} in {@link CdpAllowList}, unknown ones included): only such methods need
   * their params as a tree; the others go to the pipe as the client wrote them.
   */
  static boolean readsParams(String method) {
    CdpAllowList.Rule rule = CdpAllowList.rule(method);
    return rule == null || rule.access() != CdpAllowList.Access.PAGE && rule.access() != CdpAllowList.Access.BOTH;
  }

  /**
   * Judges one client command by {@link CdpAllowList}, then checks what a {@code SCOPED} method names.
   *
   * @param paramsNode the command's params, an {@link ObjectNode} for every method it reads them of
   *     ({@link #readsParams}); completed in place when the verdict is to forward
   * @param rootSession whether it was sent on the client's browser-level session
   */
  Verdict command(String method, JsonNode paramsNode, boolean rootSession) {
    String refusal = CdpAllowList.refusal(method, rootSession, sharedBrowser);
    if (refusal != null) {
      return Verdict.refuse(refusal);
    }
    if ("Tracing.start".equals(method)) {
      return tracingStart((ObjectNode) paramsNode); // ALONE: readsParams, a tree
    }
    CdpAllowList.Access access = CdpAllowList.rule(method).access();
    if (access == CdpAllowList.Access.LOCAL) {
      return answer(method);
    }
    if (access != CdpAllowList.Access.SCOPED && access != CdpAllowList.Access.BROWSER) {
      return Verdict.FORWARD;
    }
    ObjectNode params = (ObjectNode) paramsNode; // readsParams(method): a tree, never the client's raw text
    JsonNode named = params.get("browserContextId");
    if (named != null && !named.isNull() && !contextId.equals(named.asText())) {
      return Verdict.refuse("browserContextId " + named + " is outside this lease: a lease's client sees"
          + " only its own context");
    }
    if (isolated && (named == null || named.isNull()) && takesContext(method)) {
      params.put("browserContextId", contextId);
    }
    if ("Target.createTarget".equals(method)) {
      return new Verdict(Action.CREATE_TARGET, null, null);
    }
    if ("Target.getTargets".equals(method)) {
      return new Verdict(Action.FILTER_TARGETS, null, null);
    }
    if ("Target.detachFromTarget".equals(method) && params.hasNonNull("sessionId")) {
      return new Verdict(Action.CHECK_SESSION, params.get("sessionId").asText(), null);
    }
    if (TARGETED.contains(method) && params.hasNonNull("targetId")) {
      String targetId = params.get("targetId").asText();
      if (targetId.equals(hiddenTargetId)) {
        return Verdict.refuse("No target with given id found");
      }
      return new Verdict(Action.CHECK_TARGET, targetId, null);
    }
    if (WINDOWED.contains(method)) {
      JsonNode window = params.get("windowId");
      if (window == null || !window.canConvertToLong() || !windows.contains(window.asLong())) {
        return Verdict.refuse("Browser window with id " + window + " not found: a lease's client may only"
            + " use the windows of its own pages, as Browser.getWindowForTarget names them");
      }
    }
    return Verdict.FORWARD;
  }

  /**
   * Tracing.start stays inside the browser: the system backend (a tracing service of the host, such as
   * Perfetto's traced) is refused, and a trace that names no backend, or "auto", gets Chrome's own.
   */
  private static Verdict tracingStart(ObjectNode params) {
    JsonNode backend = params.get("tracingBackend");
    if (backend == null || backend.isNull() || "auto".equals(backend.asText())) {
      params.put("tracingBackend", "chrome");
    } else if (!"chrome".equals(backend.asText())) {
      return Verdict.refuse("Tracing.start with tracingBackend " + backend + " is not allowed through a lease's"
          + " endpoint: only Chrome's own backend (\"chrome\", or none) traces the browser and nothing else of"
          + " the host");
    }
    return Verdict.FORWARD;
  }

  private static Verdict answer(String method) {
    if ("Target.getBrowserContexts".equals(method)) {
      ObjectNode none = JSON.objectNode();
      none.putArray("browserContextIds");
      return new Verdict(Action.ANSWER, null, none);
    }
    throw new IllegalStateException("CdpAllowList names " + method + " as answered locally, but ScopeFilter"
        + " has no answer for it");
  }

  /**
   * Whether a method takes a {@code browserContextId} that Chromium would read as the default context:
   * on a page session too (a target created there without one lands in the default context).
   */
  private static boolean takesContext(String method) {
    return "Target.createTarget".equals(method) || method.startsWith("Storage.")
        || method.startsWith("Browser.") && !TARGETED.contains(method) && !WINDOWED.contains(method);
  }

  /** Learns the window of a {@code Browser.getWindowForTarget} reply, sent for one of the lease's targets. */
  void rememberWindow(String replyText) {
    try {
      JsonNode window = MAPPER.readTree(replyText).path("result").path("windowId");
      if (window.canConvertToLong()) {
        windows.add(window.asLong());
      }
    } catch (IOException e) {
      // Not JSON: nothing to learn; the client gets the reply as it came.
    }
  }

  /** Whether a {@code TargetInfo} belongs to the lease: its context, and not a hidden target. */
  boolean inScope(JsonNode targetInfo) {
    if (targetInfo == null || !contextId.equals(targetInfo.path("browserContextId").asText(null))) {
      return false;
    }
    String targetId = targetInfo.path("targetId").asText("");
    return !targetId.equals(hiddenTargetId) && !hiddenForNow.test(targetId);
  }

  /** A copy of a {@code Target.getTargets} result with only the lease's targets. */
  ObjectNode filterTargets(JsonNode result) {
    ObjectNode copy = result.isObject() ? ((ObjectNode) result).deepCopy() : JSON.objectNode();
    ArrayNode kept = JSON.arrayNode();
    for (JsonNode info : result.path("targetInfos")) {
      if (inScope(info)) {
        kept.add(info);
      }
    }
    copy.set("targetInfos", kept);
    return copy;
  }
}
