using ModelServer.Trainer.Data;

namespace ModelServer.Trainer.Tests.Data;

public sealed class ClipFoldsTests
{
    private static readonly string[] Classes = ["paper", "rock", "scissors"];

    /// <summary>Per class, clips of sizes 1 to 6 photos (as video clips and single photos mix in the real set).</summary>
    private static List<ImageSample> Samples(int clipsPerClass)
    {
        var samples = new List<ImageSample>();
        for (int label = 0; label < Classes.Length; label++)
        {
            for (int clip = 0; clip < clipsPerClass; clip++)
            {
                for (int frame = 0; frame <= clip % 6; frame++)
                {
                    samples.Add(new ImageSample($"{Classes[label]}/{clip}-{frame}.png", label, $"{Classes[label]}{clip}"));
                }
            }
        }

        return samples;
    }

    [Fact]
    public void Every_clip_lies_in_one_fold_and_every_fold_holds_every_class()
    {
        var samples = Samples(clipsPerClass: 23);

        int[] fold = ClipFolds.Assign(samples, Classes, folds: 5, seed: 3);

        Assert.All(samples.Select((s, i) => (s.Clip, Fold: fold[i])).GroupBy(x => x.Clip), clip => Assert.Single(clip.Select(x => x.Fold).Distinct()));
        for (int f = 0; f < 5; f++)
        {
            Assert.Equal(3, samples.Where((s, i) => fold[i] == f).Select(s => s.Label).Distinct().Count());
        }

        // Balanced per class within one clip's size (6 photos at most here): no fold is left with a sliver.
        for (int label = 0; label < 3; label++)
        {
            int[] sizes = [.. Enumerable.Range(0, 5).Select(f => samples.Where((s, i) => s.Label == label && fold[i] == f).Count())];
            Assert.True(sizes.Max() - sizes.Min() <= 6, $"class {label}: fold sizes {string.Join(", ", sizes)}");
        }
    }

    [Fact]
    public void The_seed_fixes_the_folds()
    {
        var samples = Samples(clipsPerClass: 23);

        Assert.Equal(ClipFolds.Assign(samples, Classes, 5, seed: 3), ClipFolds.Assign(samples, Classes, 5, seed: 3));
        Assert.NotEqual(ClipFolds.Assign(samples, Classes, 5, seed: 3), ClipFolds.Assign(samples, Classes, 5, seed: 4));
    }

    [Fact]
    public void A_class_with_fewer_clips_than_folds_is_named()
    {
        var samples = Samples(clipsPerClass: 4);

        var error = Assert.Throws<DatasetException>(() => ClipFolds.Assign(samples, Classes, folds: 5, seed: 1));

        Assert.Contains("'paper' has 4 clip(s); --folds 5 needs at least 5", error.Message, StringComparison.Ordinal);
    }
}
