package io.github.browserpool.spring;

import java.util.Locale;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a rejected {@code browserpool.*} property at startup: the property, the value, PoolConfig's
 * reason, and what to write instead in Boot's notation.
 */
class InvalidBrowserPoolPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidBrowserPoolPropertyException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidBrowserPoolPropertyException cause) {
    String description = "The browser pool could not start: property '" + cause.getProperty()
        + "' has the invalid value '" + cause.getValue() + "'.\n\nReason: " + cause.getReason();
    String reason = cause.getReason();
    int fix = reason.indexOf("To fix it, ");
    String advice = fix >= 0 ? reason.substring(fix + "To fix it, ".length()) : reason;
    StringBuilder action = new StringBuilder("Update '").append(cause.getProperty())
        .append("' in your application's configuration: ").append(advice);
    String property = cause.getProperty().toLowerCase(Locale.ROOT);
    if (property.endsWith("timeout") || property.endsWith("lifetime") || property.endsWith("protection")) {
      action.append(" (a duration is written like 500ms, 30s or 10m)");
    } else if (property.endsWith("memory")) {
      action.append(" (a size is written like 512MB or 1GB)");
    }
    action.append(", or remove it to keep the default.");
    return new FailureAnalysis(description, action.toString(), cause);
  }
}
