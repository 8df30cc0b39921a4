package io.github.browserpool.endpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The reviewed table of what a lease's client may send, method by method: the endpoint's allow-list. A
 * method that is not in it is refused, so a method that Chromium adds in a later release stays closed
 * until someone reviews it ({@code CdpAllowListCoverageChromiumTest} fails when the installed Chromium
 * has a method that the table does not decide).
 *
 * <p>Each method has one {@link Access}: allowed on page and child sessions only ({@code page}), the same
 * but only for a lease that has its browser to itself ({@code alone}, with the reason it is refused in a
 * browser that leases share), allowed on every session ({@code both}), allowed on every session after {@link ScopeFilter}'s checks of the
 * contexts, targets, sessions or windows that it names ({@code scoped}), the same on the browser session
 * only ({@code browser}, with the reason it is refused on pages), answered by the relay itself
 * ({@code local}), or refused with the reason written beside it ({@code refuse}). Page and child
 * sessions are sessions attached to the lease's own targets (pages, frames, workers), so a method that
 * acts on the session's target and its storage partition stays inside the lease's context.
 *
 * <p>The same table decides what a page of a shared browser may ask through the typed API ({@code
 * pool.PageScope}).
 */
public final class CdpAllowList {
  /** What the endpoint does with one method. */
  public enum Access {
    /** Forwarded on page and child sessions; refused on the browser session. */
    PAGE,
    /**
     * Like PAGE, for a lease that has its browser to itself only; refused in a browser that other leases
     * share (maxContextsPerBrowser above 1), where what it records reaches their pages.
     */
    ALONE,
    /** Forwarded on every session as it is. */
    BOTH,
    /** Forwarded on every session once the context, target, session or window that it names is the lease's. */
    SCOPED,
    /** Like SCOPED, on the browser session only; refused on page and child sessions. */
    BROWSER,
    /** Answered by the relay without asking Chromium. */
    LOCAL,
    /** Refused on every session. */
    REFUSE
  }

  /**
   * The decision for one method; {@code reason} explains a refusal (for PAGE: on the browser session; for
   * ALONE: in a shared browser; for BROWSER: on a page session).
   */
  public record Rule(String method, Access access, String reason) {}

  private static final String DEFAULT_PAGE_REASON =
      "it acts on a page: send it on the page's session (Target.attachToTarget with flatten: true)";

  /**
   * The table. One entry per line, continued on lines indented further: {@code access Domain: methods
   * [-- reason]}. Reviewed against Chromium 156 ({@code /json/protocol}); keep it sorted by concern.
   */
  private static final String TABLE = """
      # The browser-level domains. Their methods act on the browser target, which every lease of the browser shares.
      scoped Browser: setPermission grantPermissions resetPermissions setDownloadBehavior cancelDownload
          -- browserContextId: the lease's context is filled in when none is named, and another one is refused
      scoped Browser: getWindowForTarget getWindowBounds setWindowBounds setContentsSize
          -- a window of the lease's own pages only (targetId checked; windowId known from getWindowForTarget)
      both   Browser: getVersion
      refuse Browser: close crash crashGpuProcess
          -- the pool owns this browser, which other leases may share: close the lease (or just disconnect) instead
      refuse Browser: getBrowserCommandLine getHistograms getHistogram
          -- it reads the state of the whole browser (its command line, its metrics), beyond the lease
      refuse Browser: addMockCamera setDockTile executeBrowserCommand addPrivacySandboxEnrollmentOverride
          getGlobalPrivacyControl setGlobalPrivacyControl
          -- it changes or reads a setting of the whole browser, which other leases share
      scoped Target: attachToTarget closeTarget activateTarget getTargetInfo autoAttachRelated detachFromTarget
          -- targets of the lease's context only; another target gets "No target with given id found"
      scoped Target: createTarget -- created in the lease's context; another browserContextId is refused
      scoped Target: getTargets setDiscoverTargets setAutoAttach
          -- only the lease's targets are listed, reported or attached; others are let run and left alone
      local  Target: getBrowserContexts
          -- answered by browserpool with no ids: the lease's context is the client's default context
      refuse Target: createBrowserContext disposeBrowserContext
          -- a lease's client works in the lease's own context, which is its default context
      browser Target: attachToBrowserTarget
          -- send it on the client's browser session (the connection itself): the session it opens is one
          more browser session of the client, under the same rules (Playwright's newCDPSession asks for one)
      refuse Target: exposeDevToolsProtocol
          -- it would give the page's JavaScript a CDP channel to the whole browser, which no filter confines
      refuse Target: sendMessageToTarget
          -- the endpoint routes flat sessions only: attach with flatten: true and send on the session
      refuse Target: setRemoteLocations getDevToolsTarget openDevTools
          -- it reaches DevTools front-ends or remote targets, outside the lease
      browser Storage: getCookies setCookies clearCookies
          -- on a page session Chromium does not bind them to the page's context: send them on the browser
          session (the lease's context is filled in), or use Network.getCookies on the page
      page   Storage: getStorageKeyForFrame getStorageKey clearDataForOrigin clearDataForStorageKey getUsageAndQuota
          overrideQuotaForOrigin trackCacheStorageForOrigin trackCacheStorageForStorageKey trackIndexedDBForOrigin
          trackIndexedDBForStorageKey untrackCacheStorageForOrigin untrackCacheStorageForStorageKey
          untrackIndexedDBForOrigin untrackIndexedDBForStorageKey getTrustTokens clearTrustTokens
          getPrivateVerificationTokens getPrivateVerificationTokensIssuerConfigs clearPrivateVerificationTokens
          deletePrivateVerificationToken setPrivateVerificationTokensTracking setStorageBucketTracking
          deleteStorageBucket runBounceTrackingMitigations
          -- it acts on the storage of the session's page, whose context is the lease's: send it on a page's session
      page   Fetch: disable enable failRequest fulfillRequest continueRequest continueWithAuth continueResponse
          getResponseBody takeResponseBodyAsStream
          -- on the browser session it intercepts the requests of every context: send it on a page's session
      page   Security: disable enable setIgnoreCertificateErrors handleCertificateError setOverrideCertificateErrors
          -- on the browser session it acts on every context: send it on a page's session
      page   IO: close read resolveBlob
          -- streams and blobs belong to the page that made them: read them on that page's session
      page   Memory: getDOMCounters getDOMCountersForLeakDetection prepareForLeakDetection
          forciblyPurgeJavaScriptMemory startSampling stopSampling getAllTimeSamplingProfile getSamplingProfile
          -- it measures the session's page and its renderer: send it on a page's session
      refuse Memory: getBrowserSamplingProfile setPressureNotificationsSuppressed simulatePressureNotification
          -- it reads or changes the memory of the whole browser, every process of it
      alone  Tracing: start end requestMemoryDump recordClockSyncMarker
          -- a trace records every process of the browser, whatever session starts it: on Chromium 156 a page's
          trace carries the URLs, titles and console messages of other contexts' pages, and one trace at a time
          runs per browser. Trace with a browser of the lease's own (maxContextsPerBrowser(1), or a keyed lease)
      page   Tracing: getCategories getTrackEventDescriptor
          -- it describes the Chromium build (its trace categories), no page of any lease: send it on a page's session
      refuse SystemInfo: getInfo getFeatureState getProcessInfo
          -- it describes the host machine and every process of the browser, beyond the lease
      refuse Tethering: bind unbind -- it opens a port on the pool's host
      refuse Extensions: triggerAction loadUnpacked getExtensions uninstall getStorageItems removeStorageItems
          clearStorageItems setStorageItems -- extensions belong to the whole browser, beyond the lease
      refuse PWA: getOsAppState install uninstall launch launchFilesInApp openCurrentPageInApp changeAppUserSettings
          -- web apps are installed into the browser's profile and the host's OS, beyond the lease
      refuse Autofill: trigger setAddresses disable enable
          -- autofill data belongs to the browser's profile, beyond the lease
      refuse FedCm: enable disable selectAccount clickDialogButton openUrl dismissDialog resetCooldown
          -- federated sign-in state (accounts, cooldowns) belongs to the browser's profile, beyond the lease
      refuse Cast: enable disable setSinkToUse startDesktopMirroring startTabMirroring stopCasting
          -- it casts to devices on the host's network or mirrors the host's desktop
      refuse BluetoothEmulation: enable setSimulatedCentralState disable simulatePreconnectedPeripheral
          simulateAdvertisement simulateGATTOperationResponse simulateCharacteristicOperationResponse
          simulateDescriptorOperationResponse addService removeService addCharacteristic removeCharacteristic
          addDescriptor removeDescriptor simulateGATTDisconnection
          -- it replaces the Bluetooth adapter of the whole browser
      refuse SmartCardEmulation: enable disable reportEstablishContextResult reportReleaseContextResult
          reportListReadersResult reportGetStatusChangeResult reportBeginTransactionResult reportPlainResult
          reportConnectResult reportDataResult reportStatusResult reportError
          -- it replaces the smart card service of the whole browser
      # The page-session domains: they act on the session's own page (or frame, or worker) and its storage
      # partition, which is the lease's context. Sessions are attached to the lease's targets only.
      page   Accessibility: disable enable getPartialAXTree getFullAXTree getRootAXNode getAXNodeAndAncestors
          getChildAXNodes queryAXTree
      page   Ads: getAdMetrics getAdScripts
      page   Animation: disable enable getCurrentTime getPlaybackRate releaseAnimations resolveAnimation
          seekAnimations setPaused setPlaybackRate setTiming
      page   Audits: getEncodedResponse disable enable checkFormsIssues
      page   BackgroundService: startObserving stopObserving setRecording clearEvents
      page   CSS: addRule collectClassNames createStyleSheet disable enable forcePseudoState forceStartingStyle
          getBackgroundColors getComputedStyleForNode resolveValues getLonghandProperties getInlineStylesForNode
          getAnimatedStylesForNode getMatchedStylesForNode getEnvironmentVariables getMediaQueries
          getPlatformFontsForNode getStyleSheetText getLayersForNode getLocationForSelector
          trackComputedStyleUpdatesForNode trackComputedStyleUpdates takeComputedStyleUpdates
          setEffectivePropertyValueForNode setPropertyRulePropertyName setKeyframeKey setMediaText
          setContainerQueryText setContainerQueryConditionText setSupportsText setNavigationText setScopeText
          setRuleSelector setStyleSheetText setStyleTexts startRuleUsageTracking stopRuleUsageTracking
          takeCoverageDelta setLocalFontsEnabled
      page   CacheStorage: deleteCache deleteEntry requestCacheNames requestCachedResponse requestEntries
      page   CrashReportContext: getEntries
      page   DOM: collectClassNamesFromSubtree copyTo describeNode scrollIntoViewIfNeeded disable
          discardSearchResults enable focus getAttributes getBoxModel getContentQuads getDocument
          getFlattenedDocument getNodesForSubtreeByStyle getNodeForLocation getOuterHTML getRelayoutBoundary
          getSearchResults hideHighlight highlightNode highlightRect markUndoableState moveTo performSearch
          pushNodeByPathToFrontend pushNodesByBackendIdsToFrontend querySelector querySelectorAll
          getTopLayerElements getElementByRelation redo removeAttribute removeNode requestChildNodes requestNode
          resolveNode setAttributeValue setAttributesAsText setFileInputFiles setNodeStackTracesEnabled
          getNodeStackTraces getFileInfo getDetachedDomNodes setInspectedNode setNodeName setNodeValue
          setOuterHTML undo getFrameOwner getContainerForNode getQueryingDescendantsForContainer getAnchorElement
          forceShowPopover getImplicitAnchorCandidates forceShowInterest setTextMarker clearTextMarkers
      page   DOMDebugger: getEventListeners removeDOMBreakpoint removeEventListenerBreakpoint
          removeInstrumentationBreakpoint removeXHRBreakpoint setBreakOnCSPViolation setDOMBreakpoint
          setEventListenerBreakpoint setInstrumentationBreakpoint setXHRBreakpoint
      page   DOMSnapshot: disable enable getSnapshot captureSnapshot
      page   DOMStorage: clear disable enable getDOMStorageItems removeDOMStorageItem setDOMStorageItem
      page   DeviceAccess: enable disable selectPrompt cancelPrompt
      page   DeviceOrientation: clearDeviceOrientationOverride setDeviceOrientationOverride
      page   DigitalCredentials: setVirtualWalletBehavior
      page   Emulation: canEmulate clearDeviceMetricsOverride clearGeolocationOverride resetPageScaleFactor
          setFocusEmulationEnabled setAutoDarkModeOverride setCPUThrottlingRate setDefaultBackgroundColorOverride
          setSafeAreaInsetsOverride setVirtualKeyboardGeometryOverride setDeviceMetricsOverride
          setDevicePostureOverride clearDevicePostureOverride setDisplayFeaturesOverride
          clearDisplayFeaturesOverride setScrollbarsHidden setDocumentCookieDisabled setEmitTouchEventsForMouse
          setEmulatedMedia setEmulatedVisionDeficiency setEmulatedOSTextScale setGeolocationOverride
          getOverriddenSensorInformation setSensorOverrideEnabled setSensorOverrideReadings
          setPressureSourceOverrideEnabled setPressureStateOverride setIdleOverride clearIdleOverride
          setNavigatorOverrides setPageScaleFactor setScriptExecutionDisabled setTouchEmulationEnabled
          setVirtualTimePolicy setLocaleOverride setTimezoneOverride setVisibleSize setDisabledImageTypes
          setDataSaverOverride setHardwareConcurrencyOverride setCPUPerformanceOverride setUserAgentOverride
          setAutomationOverride setSmallViewportHeightDifferenceOverride getScreenInfos addScreen updateScreen
          removeScreen setPrimaryScreen
      page   EventBreakpoints: setInstrumentationBreakpoint removeInstrumentationBreakpoint disable
      page   FileSystem: getDirectory
      page   FindInPage: findFirst findNext findPrev stop
      page   HeadlessExperimental: beginFrame disable enable
      page   IndexedDB: clearObjectStore deleteDatabase deleteObjectStoreEntries disable enable requestData
          getMetadata requestDatabase requestDatabaseNames
      page   Input: dispatchDragEvent dispatchKeyEvent insertText imeSetComposition dispatchMouseEvent
          dispatchTouchEvent cancelDragging emulateTouchFromMouseEvent setIgnoreInputEvents setInterceptDrags
          synthesizePinchGesture synthesizeScrollGesture synthesizeTapGesture
      page   Inspector: disable enable
      page   LayerTree: compositingReasons disable enable loadSnapshot makeSnapshot profileSnapshot
          releaseSnapshot replaySnapshot snapshotCommandLog
      page   Log: clear disable enable startViolationsReport stopViolationsReport
      page   Media: enable disable
      page   Network: canClearBrowserCache canClearBrowserCookies canEmulateNetworkConditions clearBrowserCache
          clearBrowserCookies deleteCookies disable emulateNetworkConditions emulateNetworkConditionsByRule
          overrideNetworkState enable configureDurableMessages getAllCookies getCertificate getCookies
          getResponseBody getRequestPostData replayXHR searchInResponseBody setBlockedURLs setBypassServiceWorker
          setCacheDisabled setCookie setCookies setExtraHTTPHeaders setAttachDebugStack setUserAgentOverride
          streamResourceContent getSecurityIsolationStatus enableReportingApi enableDeviceBoundSessions
          deleteDeviceBoundSession fetchSchemefulSite loadNetworkResource setCookieControls
      page   Overlay: disable enable getHighlightObjectForTest getGridHighlightObjectsForTest
          getSourceOrderHighlightObjectForTest hideHighlight highlightFrame highlightNode highlightQuad
          highlightRect highlightSourceOrder setInspectMode setShowAdHighlights setPausedInDebuggerMessage
          setShowDebugBorders setShowFPSCounter setShowGridOverlays setShowFlexOverlays setShowScrollSnapOverlays
          setShowContainerQueryOverlays setShowInspectedElementAnchor setShowPaintRects setShowLayoutShiftRegions
          setShowScrollBottleneckRects setShowHitTestBorders setShowWebVitals setShowViewportSizeOnResize
          setShowHinge setShowDisplayCutout setShowIsolatedElements setShowWindowControlsOverlay
      page   Page: addScriptToEvaluateOnLoad addScriptToEvaluateOnNewDocument bringToFront captureScreenshot
          captureSnapshot clearDeviceMetricsOverride clearDeviceOrientationOverride clearGeolocationOverride
          createIsolatedWorld deleteCookie disable enable getAppManifest getInstallabilityErrors getManifestIcons
          getAppId getSubApps getSiblingSubApps getAdScriptAncestry getFrameTree getLayoutMetrics
          getNavigationHistory resetNavigationHistory getResourceContent getResourceTree handleJavaScriptDialog
          navigate navigateToHistoryEntry printToPDF reload removeScriptToEvaluateOnLoad
          removeScriptToEvaluateOnNewDocument screencastFrameAck searchInResource setAdBlockingEnabled
          setBypassCSP getPermissionsPolicyState getOriginTrials setDeviceMetricsOverride
          setDeviceOrientationOverride setFontFamilies setFontSizes setDocumentContent setDownloadBehavior
          setGeolocationOverride setLifecycleEventsEnabled setTouchEmulationEnabled startScreencast
          startScreenRecording stopScreenRecording stopLoading crash close setWebLifecycleState stopScreencast
          produceCompilationCache addCompilationCache clearCompilationCache setSPCTransactionMode
          setRPHRegistrationMode generateTestReport waitForDebugger setInterceptFileChooserDialog
          setPrerenderingAllowed getAnnotatedPageContent
      page   Performance: disable enable setTimeDomain getMetrics
      page   PerformanceTimeline: enable
      page   Preload: enable disable
      page   ServiceWorker: deliverPushMessage disable dispatchSyncEvent dispatchPeriodicSyncEvent enable
          setForceUpdateOnPageLoad skipWaiting startWorker stopAllWorkers stopWorker unregister updateRegistration
      page   WebAudio: enable disable getRealtimeData
      page   WebAuthn: enable disable addVirtualAuthenticator setResponseOverrideBits removeVirtualAuthenticator
          addCredential getCredential getCredentials removeCredential clearCredentials setUserVerified
          setAutomaticPresenceSimulation setCredentialProperties
      page   WebMCP: enable disable invokeTool cancelInvocation
      page   Console: clearMessages disable enable
      page   Debugger: continueToLocation disable enable evaluateOnCallFrame getPossibleBreakpoints
          getScriptSource disassembleWasmModule nextWasmDisassemblyChunk getWasmBytecode getStackTrace pause
          pauseOnAsyncCall removeBreakpoint restartFrame resume searchInContent setAsyncCallStackDepth
          setBlackboxExecutionContexts setBlackboxPatterns setBlackboxedRanges setBreakpoint
          setInstrumentationBreakpoint setBreakpointByUrl setBreakpointOnFunctionCall setBreakpointsActive
          setPauseOnExceptions setReturnValue setScriptSource setSkipAllPauses setVariableValue stepInto stepOut
          stepOver
      page   HeapProfiler: addInspectedHeapObject collectGarbage disable enable getHeapObjectId
          getObjectByHeapObjectId getSamplingProfile startSampling startTrackingHeapObjects stopSampling
          stopTrackingHeapObjects takeHeapSnapshot
      page   Profiler: disable enable getBestEffortCoverage setSamplingInterval start startPreciseCoverage stop
          stopPreciseCoverage takePreciseCoverage
      page   Runtime: awaitPromise callFunctionOn compileScript disable discardConsoleEntries enable evaluate
          getIsolateId getHeapUsage getProperties globalLexicalScopeNames queryObjects releaseObject
          releaseObjectGroup runIfWaitingForDebugger runScript setAsyncCallStackDepth
          setCustomObjectFormatterEnabled setMaxCallStackSizeToCapture terminateExecution addBinding removeBinding
          getExceptionDetails
      page   Schema: getDomains
      """;

  private static final Map<String, Rule> RULES = parse(TABLE);

  private CdpAllowList() {}

  /** The rule for {@code method} ("Domain.method"), or null when the table does not decide it. */
  public static Rule rule(String method) {
    return RULES.get(method);
  }

  /** Every method the table decides. */
  public static Set<String> methods() {
    return Collections.unmodifiableSet(RULES.keySet());
  }

  /**
   * Why {@code method} is refused on a lease's endpoint in a browser that leases may share, or null when it
   * may go on; see {@link #refusal(String, boolean, boolean)}.
   */
  public static String refusal(String method, boolean browserSession) {
    return refusal(method, browserSession, true);
  }

  /**
   * Why {@code method} is refused on a lease's endpoint, or null when it may go on (perhaps after the
   * checks of a {@link Access#SCOPED} method).
   *
   * @param browserSession whether it was sent on the client's browser-level session
   * @param sharedBrowser whether other leases may share the lease's browser (maxContextsPerBrowser above 1
   *     and an anonymous lease): then {@link Access#ALONE} methods are refused
   */
  public static String refusal(String method, boolean browserSession, boolean sharedBrowser) {
    Rule rule = RULES.get(method);
    if (rule == null) {
      return method + " is not allowed through a lease's endpoint: browserpool has not reviewed it. If you"
          + " need it, ask for it in a browserpool issue, saying what you use it for";
    }
    switch (rule.access()) {
      case REFUSE:
        return method + " is not allowed through a lease's endpoint: " + rule.reason();
      case PAGE:
        return browserSession
            ? method + " is not allowed on the browser session of a lease's endpoint: " + rule.reason()
            : null;
      case ALONE:
        if (sharedBrowser) {
          return method + " is not allowed in a browser that leases share: " + rule.reason();
        }
        return browserSession
            ? method + " is not allowed on the browser session of a lease's endpoint: " + DEFAULT_PAGE_REASON
            : null;
      case BROWSER:
        return browserSession
            ? null
            : method + " is not allowed on a page or child session of a lease's endpoint: " + rule.reason();
      default:
        return null;
    }
  }

  static Map<String, Rule> parse(String table) {
    Map<String, Rule> rules = new LinkedHashMap<>();
    StringBuilder entry = new StringBuilder();
    for (String line : table.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (Character.isWhitespace(line.charAt(0))) {
        entry.append(' ').append(line.trim());
        continue;
      }
      if (entry.length() > 0) {
        addEntry(rules, entry.toString());
      }
      entry.setLength(0);
      entry.append(line.trim());
    }
    if (entry.length() > 0) {
      addEntry(rules, entry.toString());
    }
    return rules;
  }

  private static void addEntry(Map<String, Rule> rules, String entry) {
    String[] split = entry.split(" -- ", 2);
    String reason = split.length > 1 ? split[1].trim() : null;
    String[] words = split[0].trim().split("\\s+");
    if (words.length < 3 || !words[1].endsWith(":")) {
      throw new IllegalStateException("CdpAllowList: an entry must read 'access Domain: methods': " + entry);
    }
    Access access = Access.valueOf(words[0].toUpperCase(Locale.ROOT));
    if (access == Access.REFUSE && reason == null) {
      throw new IllegalStateException("CdpAllowList: a refusal needs its reason: " + entry);
    }
    if (access == Access.ALONE && reason == null) {
      throw new IllegalStateException("CdpAllowList: a method for a browser of the lease's own needs the reason"
          + " it is refused in a shared one: " + entry);
    }
    if (access == Access.BROWSER && reason == null) {
      throw new IllegalStateException("CdpAllowList: a browser-session method needs the reason it is refused"
          + " on pages: " + entry);
    }
    if (access == Access.PAGE && reason == null) {
      reason = DEFAULT_PAGE_REASON;
    }
    String domain = words[1].substring(0, words[1].length() - 1);
    for (int i = 2; i < words.length; i++) {
      String method = domain + "." + words[i];
      if (rules.put(method, new Rule(method, access, reason)) != null) {
        throw new IllegalStateException("CdpAllowList: " + method + " is decided twice");
      }
    }
  }
}
