package io.github.browserpool.chrome;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Chromium features every browser of the pool runs without, local or on a Grid, and the merge of
 * {@code --disable-features} switches: Chromium reads only the last one, so the user's own must be merged
 * into ours rather than replace them.
 */
public final class ChromeFlags {
  private static final String DISABLE_FEATURES = "--disable-features=";

  /**
   * Disabled features. Each isolated context of Chromium 156's headless mode opens a window whose
   * omnibox popup is a WebUI page with a renderer of its own (chrome://omnibox-popup.top-chrome), one per
   * context: a renderer per lease that nobody sees. The spare renderer is one more process kept ready for
   * the next navigation; the pool prepares its own contexts ahead instead.
   */
  public static final List<String> DISABLED_FEATURES = List.of(
      "WebUIOmniboxPopup", "WebUIOmniboxFullPopup", "WebUIOmniboxAimPopup", "SpareRendererForSitePerProcess");

  private ChromeFlags() {}

  /**
   * {@code args} with one {@code --disable-features} switch, where the first one was (or at the end): ours
   * and every feature that {@code args} disabled itself, in order, without repeats.
   */
  public static List<String> withDisabledFeatures(List<String> args) {
    Set<String> features = new LinkedHashSet<>(DISABLED_FEATURES);
    List<String> out = new ArrayList<>(args.size() + 1);
    int at = -1;
    for (String a : args) {
      if (a.startsWith(DISABLE_FEATURES)) {
        for (String f : a.substring(DISABLE_FEATURES.length()).split(",")) {
          if (!f.isBlank()) {
            features.add(f.trim());
          }
        }
        if (at < 0) {
          at = out.size();
          out.add(null); // the merged switch goes here
        }
      } else {
        out.add(a);
      }
    }
    String merged = DISABLE_FEATURES + String.join(",", features);
    if (at < 0) {
      out.add(merged);
    } else {
      out.set(at, merged);
    }
    return out;
  }
}
