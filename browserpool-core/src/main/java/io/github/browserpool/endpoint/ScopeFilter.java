package io.github.browserpool.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Set;

/**
 * The confinement rules of a lease's endpoint: what a client's command may do, and which targets it may
 * see. Pure logic over JSON; {@link CdpRelay} applies it.
 *
 * <p>A client sees its lease's browser context as the browser's only (default) context. It may not close,
 * crash or trace the browser, create or dispose contexts, attach to the browser target a second time,
 * or name a context or target outside its lease. Commands that act on "the default context" when they
 * name none (createTarget, cookies, permissions, downloads) get the lease's context filled in.
 */
final class ScopeFilter {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

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
      "Target.exposeDevToolsProtocol", "Target.autoAttachRelated", "Target.detachFromTarget",
      "Browser.getWindowForTarget");

  /** Methods that act on the default context when they name none. */
  private static final Set<String> CONTEXT_DEFAULTED = Set.of(
      "Target.createTarget", "Browser.setDownloadBehavior", "Browser.grantPermissions",
      "Browser.resetPermissions", "Browser.setPermission", "Storage.getCookies", "Storage.setCookies",
      "Storage.clearCookies");

  private final String contextId;
  private final boolean isolated;
  private final String hiddenTargetId;

  /**
   * @param contextId the lease's context (for a keyed lease, the id of the browser's default context)
   * @param isolated whether it is an isolated context, which commands naming no context must be bound to
   * @param hiddenTargetId a target of the context that clients must not see (the keeper page), or null
   */
  ScopeFilter(String contextId, boolean isolated, String hiddenTargetId) {
    this.contextId = Objects.requireNonNull(contextId, "contextId");
    this.isolated = isolated;
    this.hiddenTargetId = hiddenTargetId;
  }

  String contextId() {
    return contextId;
  }

  /**
   * Judges one client command.
   *
   * @param params the command's params; completed in place when the verdict is to forward
   * @param rootSession whether it was sent on the client's browser-level session
   */
  Verdict command(String method, ObjectNode params, boolean rootSession) {
    switch (method) {
      case "Browser.close":
      case "Browser.crash":
      case "Browser.crashGpuProcess":
        return Verdict.refuse(method + " is not allowed: the pool owns this browser. Close the lease"
            + " (or just disconnect) instead");
      case "Target.createBrowserContext":
      case "Target.disposeBrowserContext":
        return Verdict.refuse(method + " is not allowed: a lease's client works in the lease's own"
            + " context, which is its default context");
      case "Target.attachToBrowserTarget":
      case "Target.sendMessageToTarget":
      case "Target.setRemoteLocations":
      case "Target.openDevTools":
      case "Browser.executeBrowserCommand":
        return Verdict.refuse(method + " is not allowed through a lease's endpoint");
      case "Tracing.start":
        return Verdict.refuse("Tracing.start is not allowed: it records the whole browser, beyond the"
            + " lease");
      case "Target.getBrowserContexts":
        ObjectNode none = JSON.objectNode();
        none.putArray("browserContextIds");
        return new Verdict(Action.ANSWER, null, none);
      default:
        break;
    }
    JsonNode named = params.get("browserContextId");
    if (named != null && !named.isNull() && !contextId.equals(named.asText())) {
      return Verdict.refuse("browserContextId " + named + " is outside this lease: a lease's client sees"
          + " only its own context");
    }
    if (rootSession && isolated && (named == null || named.isNull()) && CONTEXT_DEFAULTED.contains(method)) {
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
    return Verdict.FORWARD;
  }

  /** Whether a {@code TargetInfo} belongs to the lease: its context, and not the hidden target. */
  boolean inScope(JsonNode targetInfo) {
    return targetInfo != null
        && contextId.equals(targetInfo.path("browserContextId").asText(null))
        && !targetInfo.path("targetId").asText("").equals(hiddenTargetId);
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
