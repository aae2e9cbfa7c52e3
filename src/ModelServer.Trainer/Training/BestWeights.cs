using static TorchSharp.torch;

namespace ModelServer.Trainer.Training;

/// <summary>
/// A copy of a network's weights from the epoch that validates best: higher accuracy wins, an equal accuracy wins on
/// a lower loss when <c>tieOnLoss</c>; without validation, every epoch wins (the last is kept). Owns the copies.
/// </summary>
internal sealed class BestWeights(bool tieOnLoss = true) : IDisposable
{
    private Dictionary<string, Tensor>? _weights;
    private double _accuracy = double.NegativeInfinity;
    private double _loss = double.PositiveInfinity;

    /// <summary>The epoch kept; 0 before the first offer.</summary>
    public int Epoch { get; private set; }

    /// <summary>Keeps a copy of <paramref name="model"/>'s weights when this epoch beats the one kept.</summary>
    public void Offer(nn.Module model, int epoch, bool validated, double accuracy, double loss)
    {
        bool better = !validated || accuracy > _accuracy || (tieOnLoss && accuracy == _accuracy && loss < _loss);
        if (!better)
        {
            return;
        }

        Release();
        using (no_grad())
        {
            _weights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        }

        (_accuracy, _loss, Epoch) = (accuracy, loss, epoch);
    }

    /// <summary>Loads the kept weights into <paramref name="model"/> (nothing when none were kept).</summary>
    public void Restore(nn.Module model)
    {
        if (_weights is not null)
        {
            model.load_state_dict(_weights);
        }
    }

    public void Dispose() => Release();

    private void Release()
    {
        foreach (var tensor in _weights?.Values ?? Enumerable.Empty<Tensor>())
        {
            tensor.Dispose();
        }

        _weights = null;
    }
}
