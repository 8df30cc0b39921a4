package io.github.browserpool.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The lease's prepared page (an isolated lease's page whose renderer already runs), served to the first
 * client that asks for a new page, as if its own {@code Target.createTarget} had made it.
 *
 * <p>Until then the page and its {@code tab} target are hidden from every client of the lease
 * ({@link #hides}): {@code getTargets}, target events and auto-attach leave them out. A client's first
 * {@code Target.createTarget} on its browser session that asks for a blank page in the lease's context
 * (no url but {@code about:blank}, no {@code newWindow}, no {@code background}, no window bounds) claims
 * it, once per lease and never after the lease's own {@code newPage()} took it. The pool's session on
 * the page is detached, and the client then gets what Chromium sends for a new target, by what its root
 * session asked ({@code setDiscoverTargets}, {@code setAutoAttach} and their filters), in Chromium's
 * order: {@code targetCreated} (url "", not attached), for an auto-attached target {@code
 * targetInfoChanged} (attached) and a real {@code attachedToTarget} (reported as a new target is: url "",
 * {@code waitingForDebugger} as the client asked), first for the tab and then for the page, the reply
 * with the page's id, and {@code targetInfoChanged} to {@code about:blank}. A client whose settings this
 * does not cover (auto-attach without {@code flatten}, or attaching tabs and pages both) gets a real
 * target, as does one whose page died or was taken: the page then shows as the lease's other pages do.
 */
final class WarmPage {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Chromium's filter when a client gives none, for discovery and auto-attach alike. */
  private static final JsonNode DEFAULT_FILTER;
  /** The params of a createTarget for a blank page, besides the url and the (filled-in) context. */
  private static final Set<String> FLAGS = Set.of("newWindow", "background", "left", "top", "width", "height",
      "windowState");

  static {
    ArrayNode filter = JSON.createArrayNode();
    filter.addObject().put("type", "browser").put("exclude", true);
    filter.addObject().put("type", "tab").put("exclude", true);
    filter.addObject();
    DEFAULT_FILTER = filter;
  }

  /** What one relay lends this class: its root session, its ordered queue to the pipe, its client. */
  interface Relay {
    /** The relay's root session id (the client's browser connection). */
    String rootSession();

    /** Sends a command on the root session after the client's commands queued so far; the reply goes to {@code onReply}. */
    void call(long replyId, String method, ObjectNode params, Consumer<String> onReply);

    /**
     * Detaches the pool's own session {@code sessionId} (on the browser connection, after the client's
     * commands queued so far); {@code then} runs with whether it went.
     */
    void detachPoolSession(String sessionId, Consumer<Boolean> then);

    /** Passes a message to the client as it is. */
    void toClient(String text);

    /** A reply to the client's createTarget (made here or by Chromium): remember the target, pass it on. */
    void created(String replyText);
  }

  private final LeaseScope scope;
  private final String pageId;
  private final String tabId;
  private final AtomicBoolean claimed = new AtomicBoolean();
  /** Set once the page is a client's (or could not be served): it shows as any page of the lease. */
  private volatile boolean shown;

  WarmPage(LeaseScope scope) {
    this.scope = scope;
    this.pageId = scope.preparedTargetId();
    this.tabId = pageId == null ? null : scope.preparedTabId();
  }

  /** Whether clients must not see {@code targetId} yet: the prepared page or its tab, not yet served. */
  boolean hides(String targetId) {
    if (pageId == null || shown || targetId == null || !(targetId.equals(pageId) || targetId.equals(tabId))) {
      return false;
    }
    return claimed.get() || scope.preparedTargetId() != null;
  }

  /** The prepared page's id while no client was served it (for tests and logs), else null. */
  String pendingTargetId() {
    return claimed.get() ? null : pageId;
  }

  /** Claims the page for one client: the pool's session on it, or null when it is not to be had. */
  private String claim() {
    if (pageId == null || !claimed.compareAndSet(false, true)) {
      return null;
    }
    String poolSession = scope.takePreparedPage();
    if (poolSession == null) {
      shown = true;
    }
    return poolSession;
  }

  /** The clients of the lease now, told of the page when another client is served it. */
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();

  /** A relay's side of the warm page; {@link Client#gone()} when the relay ends. */
  Client client(Relay relay) {
    Client client = new Client(relay);
    clients.add(client);
    return client;
  }

  /** One relay's side: what its client asked of its root session, and the serving. */
  final class Client {
    private final Relay relay;
    private volatile JsonNode autoAttach;
    private volatile JsonNode discover;
    /** Targets this client's serve attaches, to the waitingForDebugger their attachedToTarget reports. */
    private final Map<String, Boolean> attaching = new ConcurrentHashMap<>();

    private Client(Relay relay) {
      this.relay = relay;
    }

    /** A command the client sent on its root session (event loop): learns its discovery and auto-attach. */
    void noted(String method, JsonNode params) {
      // Both are scoped methods, whose params the relay reads into an ObjectNode (ScopeFilter.readsParams).
      if ("Target.setAutoAttach".equals(method)) {
        autoAttach = params instanceof ObjectNode o ? o.deepCopy() : JSON.createObjectNode();
      } else if ("Target.setDiscoverTargets".equals(method)) {
        discover = params instanceof ObjectNode o ? o.deepCopy() : JSON.createObjectNode();
      }
    }

    /**
     * A createTarget on the client's root session (event loop): true when the prepared page serves it
     * (the reply follows), false to make a real target.
     */
    boolean serve(long id, JsonNode paramsNode) {
      // createTarget is scoped: its params are an ObjectNode (ScopeFilter.readsParams)
      if (pageId == null || claimed.get() || !(paramsNode instanceof ObjectNode params)
          || !asksForBlankPage(params)) {
        return false;
      }
      List<Object> steps = steps(id);
      if (steps == null) {
        return false;
      }
      String poolSession = claim();
      if (poolSession == null) {
        return false;
      }
      relay.detachPoolSession(poolSession, detached -> {
        shown = true;
        if (!detached) { // the page went meanwhile: a real one instead
          relay.call(id, "Target.createTarget", params, relay::created);
          return;
        }
        run(steps.iterator());
        for (Client other : clients) {
          if (other != this) {
            other.announce(attaches("tab"), attaches("page"));
          }
        }
      });
      return true;
    }

    /**
     * Another client was served the page: this one gets what Chromium would have sent it for a target
     * another client created (the same events, without the reply), if its settings are covered.
     */
    private void announce(boolean attachedTab, boolean attachedPage) {
      if (relay.rootSession() == null) {
        return; // not connected yet: its own discovery and auto-attach will find the page
      }
      List<Object> steps = steps(-1, attachedTab, attachedPage);
      if (steps != null) {
        run(steps.iterator());
      }
    }

    /** The relay ended. */
    void gone() {
      clients.remove(this);
    }

    private boolean asksForBlankPage(ObjectNode params) {
      if (params == null) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode value = field.getValue();
        switch (field.getKey()) {
          case "url":
            if (!value.asText().isEmpty() && !"about:blank".equals(value.asText())) {
              return false;
            }
            break;
          case "browserContextId":
            if (!value.asText().equals(scope.browserContextId())) {
              return false;
            }
            break;
          default:
            if (!FLAGS.contains(field.getKey()) || !(value.isNull() || value.isBoolean() && !value.asBoolean())) {
              return false;
            }
        }
      }
      return true;
    }

    /**
     * What Chromium sends this client for a new blank page, as steps: a String is a message to pass on, an
     * {@link Attach} a real attach, a {@link Reply} the createTarget reply (none for id -1: another client's
     * page). Null when this client's settings are not covered.
     */
    private List<Object> steps(long id) {
      return steps(id, false, false);
    }

    /**
     * @param attachedTab whether the served client's auto-attach attached the tab already (for another
     *     client: Chromium then reports the target as attached when it is created)
     * @param attachedPage the same for the page
     */
    private List<Object> steps(long id, boolean attachedTab, boolean attachedPage) {
      JsonNode attach = autoAttach;
      boolean autoAttaching = attach != null && attach.path("autoAttach").asBoolean(false);
      if (autoAttaching && !attach.path("flatten").asBoolean(false)) {
        return null;
      }
      boolean attachTab = attaches("tab");
      boolean attachPage = attaches("page");
      JsonNode seen = discover;
      boolean discovering = seen != null && seen.path("discover").asBoolean(false);
      boolean seeTab = discovering && admits(seen.get("filter"), "tab");
      boolean seePage = discovering && admits(seen.get("filter"), "page");
      if (attachTab && attachPage || (attachTab || seeTab) && tabId == null) {
        return null;
      }
      boolean waiting = autoAttaching && attach.path("waitForDebuggerOnStart").asBoolean(false);
      List<Object> steps = new ArrayList<>();
      target(steps, tabId, "tab", seeTab, attachTab, attachedTab, waiting);
      target(steps, pageId, "page", seePage, attachPage, attachedPage, waiting);
      if (id >= 0) {
        steps.add(new Reply(id));
      }
      if (seePage) {
        steps.add(event("Target.targetInfoChanged", info(pageId, "page", "about:blank", attachPage || attachedPage)));
      }
      return steps;
    }

    /** Whether this client's auto-attach (flattened) attaches new targets of {@code type} to its root session. */
    private boolean attaches(String type) {
      JsonNode attach = autoAttach;
      return attach != null && attach.path("autoAttach").asBoolean(false) && attach.path("flatten").asBoolean(false)
          && admits(attach.get("filter"), type);
    }

    private void target(List<Object> steps, String targetId, String type, boolean seen, boolean attaches,
        boolean attachedBefore, boolean waiting) {
      if (seen) {
        steps.add(event("Target.targetCreated", info(targetId, type, "", attachedBefore)));
      }
      if (attaches) {
        if (seen && !attachedBefore) {
          steps.add(event("Target.targetInfoChanged", info(targetId, type, "", true)));
        }
        steps.add(new Attach(targetId, waiting));
      }
    }

    private ObjectNode info(String targetId, String type, String url, boolean attached) {
      ObjectNode info = JSON.createObjectNode().put("targetId", targetId).put("type", type).put("title", url)
          .put("url", url).put("attached", attached).put("canAccessOpener", false);
      return info.put("browserContextId", scope.browserContextId());
    }

    private String event(String method, ObjectNode info) {
      ObjectNode event = JSON.createObjectNode().put("method", method);
      event.putObject("params").set("targetInfo", info);
      return event.toString();
    }

    /** Runs the steps in order; an attach continues in its reply (on the pipe's reader thread). */
    private void run(Iterator<Object> steps) {
      while (steps.hasNext()) {
        Object step = steps.next();
        if (step instanceof String text) {
          relay.toClient(text);
        } else if (step instanceof Reply reply) {
          ObjectNode result = JSON.createObjectNode().put("targetId", pageId);
          relay.created(ClientMessages.result(reply.id(), null, result));
        } else if (step instanceof Attach a) {
          attaching.put(a.targetId(), a.waiting());
          relay.call(0, "Target.attachToTarget", JSON.createObjectNode().put("targetId", a.targetId())
              .put("flatten", true), done -> {
                attaching.remove(a.targetId());
                run(steps);
              });
          return;
        }
      }
    }

    /**
     * A {@code Target} event on its way to the client (reader thread), as the client must see it; null to
     * drop it. While a serve attaches a target, its {@code attachedToTarget} reports it as Chromium reports
     * a new one (url "", waitingForDebugger as asked), and the {@code targetInfoChanged} the attach causes
     * is dropped: the client got the new target's own already.
     */
    String rewrite(String text, String sessionId, String method) {
      if (attaching.isEmpty() || sessionId == null || !sessionId.equals(relay.rootSession())) {
        return text;
      }
      boolean attached = "Target.attachedToTarget".equals(method);
      if (!attached && !"Target.targetInfoChanged".equals(method)) {
        return text;
      }
      try {
        JsonNode event = JSON.readTree(text);
        JsonNode info = event.path("params").path("targetInfo");
        Boolean waiting = attaching.get(info.path("targetId").asText(""));
        if (waiting == null || !(info instanceof ObjectNode target)) {
          return text;
        }
        if (!attached) {
          return null;
        }
        target.put("url", "").put("title", "").put("attached", true);
        ((ObjectNode) event.get("params")).put("waitingForDebugger", waiting);
        return event.toString();
      } catch (IOException e) {
        return text;
      }
    }
  }

  /** Whether a Target filter ({@code [{type, exclude}]}, first match decides) admits targets of {@code type}. */
  static boolean admits(JsonNode filter, String type) {
    JsonNode entries = filter == null || !filter.isArray() ? DEFAULT_FILTER : filter;
    for (JsonNode entry : entries) {
      String t = entry.path("type").asText("");
      if (t.isEmpty() || t.equals(type)) {
        return !entry.path("exclude").asBoolean(false);
      }
    }
    return false;
  }

  private record Attach(String targetId, boolean waiting) {}

  private record Reply(long id) {}
}
