package io.github.browserpool.chrome;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Chromium features every browser of the pool runs without, local or on a Grid, and the merge of
 * {@code --disable-features} switches: Chromium reads only the last one, so the user's own must be merged
 * into ours rather than replace them. Also what the headless shell is not given: the switches and
 * features only full Chromium has.
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

  /**
   * What the headless shell runs without: the spare renderer. It has no omnibox (nor any window), so the
   * WebUIOmnibox features of {@link #DISABLED_FEATURES} are not there to disable.
   */
  public static final List<String> HEADLESS_SHELL_DISABLED_FEATURES = List.of("SpareRendererForSitePerProcess");

  /**
   * The pool's switches that only full Chromium has, so the headless shell is not given them: the shell
   * is always headless (so {@code --headless} is moot), opens no startup window when driven over the
   * pipe, and has none of the browser's first-run, default-browser, sync, default-apps, component-updater
   * or background-networking services. None of these switch names occurs in the shell's binary
   * (156.0.8078.129), while every other switch the pool passes does.
   */
  public static final List<String> FULL_CHROMIUM_ONLY_SWITCHES = List.of("--headless", "--no-first-run",
      "--no-default-browser-check", "--disable-background-networking", "--disable-sync",
      "--disable-component-update", "--disable-default-apps", "--no-startup-window");

  /**
   * What the headless shell needs to do as full Chromium does: {@code --site-per-process}, because full
   * Chromium puts every site in a process of its own (so a cross-site iframe is an out-of-process frame,
   * with a CDP session of its own), and the shell, without Chrome's own settings, does not.
   */
  public static final List<String> HEADLESS_SHELL_ONLY_SWITCHES = List.of("--site-per-process");

  private ChromeFlags() {}

  /**
   * {@code args} with one {@code --disable-features} switch, where the first one was (or at the end): ours
   * and every feature that {@code args} disabled itself, in order, without repeats.
   */
  public static List<String> withDisabledFeatures(List<String> args) {
    return withDisabledFeatures(args, DISABLED_FEATURES);
  }

  /** {@link #withDisabledFeatures(List)} with {@code ours} as the features disabled first. */
  public static List<String> withDisabledFeatures(List<String> args, List<String> ours) {
    Set<String> features = new LinkedHashSet<>(ours);
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
