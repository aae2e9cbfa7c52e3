using ModelServer.Trainer.Cli;
using ModelServer.Trainer.Training;

namespace ModelServer.Trainer.Tests.Cli;

public sealed class EpochLineTests
{
    [Fact]
    public void An_epoch_with_validation_shows_its_loss_and_accuracy()
    {
        string line = EpochLine.Format(new EpochMetrics(3, 0.5, 0.9, 0.4, 0.85, 1e-3, 1.2, 900), 40);

        Assert.Equal("epoch 3/40 loss 0.5000 acc 90.0 % | val_loss 0.4000 val_acc 85.0 % | 1s 900 img/s", line);
    }

    [Fact]
    public void An_epoch_without_validation_images_says_so_instead_of_NaN()
    {
        string line = EpochLine.Format(new EpochMetrics(3, 0.5, 0.9, double.NaN, double.NaN, 1e-3, 1.2, 900), 40);

        Assert.Equal("epoch 3/40 loss 0.5000 acc 90.0 % | no validation images | 1s 900 img/s", line);
    }
}
