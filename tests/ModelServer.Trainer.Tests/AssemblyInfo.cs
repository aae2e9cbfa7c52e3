// TorchSharp's random generator and thread settings are process-wide: tests that train must not
// interleave, or the determinism test would compare runs that shared a generator.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
