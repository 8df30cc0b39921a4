package io.github.browserpool.chrome;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Immutable settings for launching one Chromium: executable, where its profile dir goes, flags. */
public final class LaunchSpec {
  private final String ownerName;
  private final Path executable;
  private final Path tempRoot;
  private final List<String> extraArgs;
  private final Boolean noSandbox;
  private final Duration launchTimeout;
  private final Map<String, String> extraEnv;
  private final Path subreaper;

  private LaunchSpec(Builder b) {
    this.ownerName = b.ownerName;
    this.executable = b.executable;
    this.tempRoot = Objects.requireNonNull(b.tempRoot, "tempRoot");
    this.extraArgs = List.copyOf(b.extraArgs);
    this.noSandbox = b.noSandbox;
    this.launchTimeout = b.launchTimeout;
    this.extraEnv = Map.copyOf(b.extraEnv);
    this.subreaper = b.subreaper;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String ownerName() {
    return ownerName;
  }

  /** The executable, or null to locate one at spawn. */
  public Path executable() {
    return executable;
  }

  public Path tempRoot() {
    return tempRoot;
  }

  public List<String> extraArgs() {
    return extraArgs;
  }

  public Duration launchTimeout() {
    return launchTimeout;
  }

  public Map<String, String> extraEnv() {
    return extraEnv;
  }

  /**
   * The {@code tini} binary to run each browser under as a child subreaper ({@code tini -s}), or null to
   * run Chromium directly. Needed when this JVM is PID 1, which never reaps the orphans that Chromium's
   * exited helpers become.
   */
  public Path subreaper() {
    return subreaper;
  }

  /** Whether --no-sandbox is passed: as configured, else only when running as root. */
  public boolean noSandbox() {
    return noSandbox != null ? noSandbox : "root".equals(System.getProperty("user.name"));
  }

  /**
   * The full argument list (after the executable) for a browser with this profile dir, for the kind of
   * browser {@link #executable()} is (full Chromium when it is null).
   */
  public List<String> arguments(Path userDataDir) {
    return arguments(userDataDir, executable != null && ChromeExecutable.isHeadlessShell(executable));
  }

  /**
   * The full argument list (after the executable) for a browser with this profile dir: for the headless
   * shell when {@code headlessShell}, without {@link ChromeFlags#FULL_CHROMIUM_ONLY_SWITCHES} and with
   * {@link ChromeFlags#HEADLESS_SHELL_DISABLED_FEATURES}; else for full Chromium. The extra arguments
   * come last, as given, for either.
   */
  public List<String> arguments(Path userDataDir, boolean headlessShell) {
    List<String> a = new ArrayList<>(List.of(
        "--headless",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-sync",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-gpu",
        "--disable-breakpad",
        "--disable-crash-reporter",
        "--mute-audio",
        // No initial about:blank window: leases make their own pages. Saves a renderer (~85 MiB) per
        // browser and some launch time.
        "--no-startup-window",
        "--remote-debugging-pipe",
        "--user-data-dir=" + userDataDir));
    if (headlessShell) {
      a.removeAll(ChromeFlags.FULL_CHROMIUM_ONLY_SWITCHES);
      a.addAll(ChromeFlags.HEADLESS_SHELL_ONLY_SWITCHES);
    }
    if (noSandbox()) {
      a.add("--no-sandbox");
    }
    a.add("--disable-features="); // ChromeFlags.DISABLED_FEATURES, merged with the extras' own
    a.addAll(extraArgs);
    return ChromeFlags.withDisabledFeatures(a,
        headlessShell ? ChromeFlags.HEADLESS_SHELL_DISABLED_FEATURES : ChromeFlags.DISABLED_FEATURES);
  }

  /** Collects launch settings. */
  public static final class Builder {
    private String ownerName = "browserpool";
    private Path executable;
    private Path tempRoot;
    private final List<String> extraArgs = new ArrayList<>();
    private Boolean noSandbox;
    private Duration launchTimeout = Duration.ofSeconds(30);
    private final Map<String, String> extraEnv = new LinkedHashMap<>();
    private Path subreaper;

    public Builder ownerName(String v) {
      this.ownerName = v;
      return this;
    }

    public Builder executable(Path v) {
      this.executable = v;
      return this;
    }

    public Builder tempRoot(Path v) {
      this.tempRoot = v;
      return this;
    }

    public Builder extraArgs(List<String> v) {
      this.extraArgs.addAll(v);
      return this;
    }

    public Builder noSandbox(boolean v) {
      this.noSandbox = v;
      return this;
    }

    public Builder launchTimeout(Duration v) {
      this.launchTimeout = v;
      return this;
    }

    public Builder extraEnv(Map<String, String> v) {
      this.extraEnv.putAll(v);
      return this;
    }

    /** Runs each browser under {@code <tini> -s} (see {@link LaunchSpec#subreaper()}); null for none. */
    public Builder subreaper(Path tini) {
      this.subreaper = tini;
      return this;
    }

    public LaunchSpec build() {
      return new LaunchSpec(this);
    }
  }
}
