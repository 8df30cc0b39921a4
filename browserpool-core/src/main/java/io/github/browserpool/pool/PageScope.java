package io.github.browserpool.pool;

import io.github.browserpool.endpoint.CdpAllowList;
import java.util.Set;

/**
 * What a lease's page may ask of Chromium when its browser serves other leases too, by the endpoint's
 * reviewed table ({@link CdpAllowList}): what the table allows on a page session goes, what it refuses is
 * refused for the same reason, and so is every method it does not know. The table's {@code SCOPED}
 * methods name contexts, targets or windows, which the endpoint checks and the typed API cannot (it sees
 * only the method's name), so they are refused too, but for a few {@code Target} commands that Chromium
 * itself confines to the page session: its own target's info, auto-attaching its own frames and workers,
 * and detaching or messaging the sessions it attached itself. A lease that has its browser to itself
 * (maxContextsPerBrowser 1, or a keyed lease) is not limited.
 */
final class PageScope {
  /** SCOPED methods that a page session may send as they are. */
  private static final Set<String> PAGE_CONFINED = Set.of(
      "Target.getTargetInfo", "Target.setAutoAttach", "Target.detachFromTarget", "Target.sendMessageToTarget");

  private PageScope() {}

  /** Why {@code method} is refused on a page of a shared browser, or null when it is allowed. */
  static String refusal(String method) {
    if (PAGE_CONFINED.contains(method)) {
      return null;
    }
    CdpAllowList.Rule rule = CdpAllowList.rule(method);
    if (rule == null) {
      return "browserpool has not reviewed it for a browser that leases share";
    }
    switch (rule.access()) {
      case PAGE:
      case BOTH:
        return null;
      case REFUSE:
      case ALONE:
      case BROWSER:
        return rule.reason();
      default:
        if (method.startsWith("Target.")) {
          return "the Target domain reaches every page of the browser, other leases' included";
        }
        if (method.startsWith("Browser.")) {
          return "the Browser domain acts on the whole browser, which other leases share";
        }
        return "it names browser contexts, which only lease.cdpEndpoint() checks";
    }
  }
}
