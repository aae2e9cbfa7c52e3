using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Warmup;

namespace ModelServer.Runtime.Repository;

/// <summary>
/// Loads one version for <see cref="ModelManager"/>: ONNX Runtime session, warmup, a check that the files did not
/// change meanwhile, then publication. The session belongs to the version once it is AVAILABLE; on any failure it
/// is disposed here and the version ends with the error.
/// </summary>
internal static class VersionLoader
{
    /// <summary>Loads, warms up and publishes one version; returns the error that ended it, or null once AVAILABLE.</summary>
    public static async Task<string?> LoadAsync(ServedModel model, VersionCandidate candidate, ModelSource source, OnnxRuntimeOptions onnxOptions, ILogger logger, CancellationToken cancellationToken)
    {
        var version = candidate.Version;
        var path = candidate.Path;
        var servable = new ServableVersion(model.Name, version, path, candidate.Fingerprint);
        model.Track(servable);
        servable.MarkLoading();
        ModelManagerLog.Loading(logger, model.Name, version, path);
        var started = Stopwatch.GetTimestamp();
        OnnxModel? loaded = null;
        try
        {
            var file = System.IO.Path.Combine(path, VersionFolders.ModelFileName);
            if (!File.Exists(file))
            {
                throw new OnnxModelException($"{file} does not exist");
            }

            loaded = await Task.Run(() => OnnxModel.Load(file, onnxOptions, logger), cancellationToken).ConfigureAwait(false);
            var warmup = await Task.Run(() => ModelWarmup.Run(loaded, source.Warmup, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (source.Warmup.Enabled)
            {
                RepositoryLog.WarmedUp(logger, model.Name, version, warmup.TotalMilliseconds, string.Join(',', source.Warmup.BatchSizes));
            }

            // The files may have been replaced while ONNX Runtime read them: then what loaded is not what is on
            // disk. Fail this attempt with the old fingerprint, so the settled new files are retried.
            var now = VersionScanner.ScanOne(version, path, source.ContainmentRoot ?? source.BasePath);
            if (now.Fingerprint != candidate.Fingerprint)
            {
                RepositoryLog.ChangedWhileLoading(logger, model.Name, version);
                throw new OnnxModelException("its files changed while it was loading; it is retried once they settle");
            }

            servable.MarkAvailable(loaded);
            loaded = null;
            model.Publish(servable);

            // Loading parsed the whole file and freed it again: hand that back too, or it stays resident.
            NativeHeap.Trim();
            ModelManagerLog.Available(logger, model.Name, version, servable.Model.ExecutionProvider, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return null;
        }
        catch (Exception ex) when (ex is OnnxModelException or IOException or UnauthorizedAccessException or InvalidOperationException
                                       or ServingException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            var message = ex is ServingException ? $"warmup failed: {ex.Message}" : ex.Message;
            servable.MarkFailed(ServingErrorCode.Unknown, message);
            ModelManagerLog.LoadFailed(logger, model.Name, version, message);
            return message;
        }
        catch (OperationCanceledException)
        {
            // Shutdown or a reload that gave up: not the files' fault, so the next reconcile tries again.
            servable.MarkFailed(ServingErrorCode.Cancelled, "loading was cancelled");
            throw;
        }
        finally
        {
            // Set only when the version did not become AVAILABLE: its session is not anyone's.
            if (loaded is not null)
            {
                loaded.Dispose();
                NativeHeap.Trim();
            }
        }
    }
}
