package io.github.browserpool.pool;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.kklisura.cdt.protocol.commands.Emulation;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.LeaseOptions;
import io.github.browserpool.RawPage;

/**
 * Applies a lease's {@link LeaseOptions} to one of its pages, before the page is handed out: user
 * agent (with the locale as Accept-Language, as browsers send it), locale, time zone, viewport.
 */
final class PageEmulation {
  private PageEmulation() {}

  /** Applies {@code options} to a typed page; a page with default options is left alone. */
  static void apply(LeaseOptions options, ChromeDevToolsService page) {
    if (options.emulatesNothing()) {
      return;
    }
    Emulation emulation = page.getEmulation();
    if (options.userAgent() != null || options.locale() != null) {
      String ua = options.userAgent() != null ? options.userAgent() : page.getBrowser().getVersion().getUserAgent();
      emulation.setUserAgentOverride(ua, options.locale(), null, null);
    }
    if (options.locale() != null) {
      emulation.setLocaleOverride(options.locale());
    }
    if (options.timezone() != null) {
      emulation.setTimezoneOverride(options.timezone());
    }
    if (options.viewportWidth() > 0) {
      emulation.setDeviceMetricsOverride(options.viewportWidth(), options.viewportHeight(), 1.0, false);
    }
  }

  /** Applies {@code options} to a raw page; a page with default options is left alone. */
  static void apply(LeaseOptions options, RawPage page) {
    if (options.emulatesNothing()) {
      return;
    }
    JsonNodeFactory json = JsonNodeFactory.instance;
    if (options.userAgent() != null || options.locale() != null) {
      String ua = options.userAgent() != null ? options.userAgent()
          : page.call("Browser.getVersion", null).path("userAgent").asText();
      ObjectNode p = json.objectNode().put("userAgent", ua);
      if (options.locale() != null) {
        p.put("acceptLanguage", options.locale());
      }
      page.call("Emulation.setUserAgentOverride", p);
    }
    if (options.locale() != null) {
      page.call("Emulation.setLocaleOverride", json.objectNode().put("locale", options.locale()));
    }
    if (options.timezone() != null) {
      page.call("Emulation.setTimezoneOverride", json.objectNode().put("timezoneId", options.timezone()));
    }
    if (options.viewportWidth() > 0) {
      page.call("Emulation.setDeviceMetricsOverride", json.objectNode().put("width", options.viewportWidth())
          .put("height", options.viewportHeight()).put("deviceScaleFactor", 1).put("mobile", false));
    }
  }
}
