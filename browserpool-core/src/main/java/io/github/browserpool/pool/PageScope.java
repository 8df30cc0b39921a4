package io.github.browserpool.pool;

import java.util.Set;

/**
 * What a lease's page may ask of Chromium when its browser serves other leases too. A page session can
 * reach beyond its page through the browser-wide domains: {@code Target} lists, attaches to, drives and
 * closes every target of the browser (other leases' pages included), and {@code Browser} closes or
 * crashes the whole browser. In a shared browser those commands are refused before they are sent; what
 * stays is scoped to the page itself (its own target's info, auto-attaching its own frames and workers).
 * A lease that has its browser to itself (maxContextsPerBrowser 1, or a keyed lease) is not limited.
 */
final class PageScope {
  /** The Target and Browser commands that act only on the page's own target and its children. */
  private static final Set<String> ALLOWED = Set.of(
      "Target.getTargetInfo", "Target.setAutoAttach", "Target.detachFromTarget", "Target.sendMessageToTarget",
      "Browser.getVersion");

  private PageScope() {}

  /** Why {@code method} is refused on a page of a shared browser, or null when it is allowed. */
  static String refusal(String method) {
    if (ALLOWED.contains(method)) {
      return null;
    }
    if (method.startsWith("Target.")) {
      return "the Target domain reaches every page of the browser, other leases' included";
    }
    if (method.startsWith("Browser.")) {
      return "the Browser domain acts on the whole browser, which other leases share";
    }
    return null;
  }
}
