namespace ModelServer.Runtime.Repository;

/// <summary>The order of a version swap, after TF Serving's aspired-version policies.</summary>
public enum VersionTransition
{
    /// <summary>Load and warm up the new version, then withdraw the old one: no gap, briefly two sessions in memory.</summary>
    AvailabilityPreserving,

    /// <summary>Withdraw the old version and wait for its requests before loading the new one: one session at a time, a gap in between.</summary>
    ResourcePreserving,
}
