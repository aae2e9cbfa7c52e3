using ModelServer.Trainer.Data;

namespace ModelServer.Trainer.Tests.Data;

public sealed class CrossValidationFoldsTests
{
    private static readonly string[] Classes = ["paper", "rock", "scissors"];

    /// <summary>
    /// Per class, clips of sizes 1 to 6 photos (as video clips and single photos mix in the real set), named as Roboflow
    /// names them: clip c of class k is <c>k.videoC</c>, so the clips numbered alike in each class are one video.
    /// </summary>
    private static List<ImageSample> Samples(int clipsPerClass)
    {
        var samples = new List<ImageSample>();
        for (int label = 0; label < Classes.Length; label++)
        {
            for (int clip = 0; clip < clipsPerClass; clip++)
            {
                for (int frame = 0; frame <= clip % 6; frame++)
                {
                    samples.Add(new ImageSample($"{Classes[label]}/{clip}-{frame}.png", label, $"{Classes[label]}.video{clip}"));
                }
            }
        }

        return samples;
    }

    [Fact]
    public void Every_clip_lies_in_one_fold_and_every_fold_holds_every_class()
    {
        var samples = Samples(clipsPerClass: 23);

        int[] fold = CrossValidationFolds.Assign(samples, Classes, folds: 5, seed: 3);

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

        Assert.Equal(CrossValidationFolds.Assign(samples, Classes, 5, seed: 3), CrossValidationFolds.Assign(samples, Classes, 5, seed: 3));
        Assert.NotEqual(CrossValidationFolds.Assign(samples, Classes, 5, seed: 3), CrossValidationFolds.Assign(samples, Classes, 5, seed: 4));
    }

    [Fact]
    public void A_class_with_fewer_clips_than_folds_is_named()
    {
        var samples = Samples(clipsPerClass: 4);

        var error = Assert.Throws<DatasetException>(() => CrossValidationFolds.Assign(samples, Classes, folds: 5, seed: 1));

        Assert.Contains("'paper' has 4 clip(s); --folds 5 needs at least 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void By_video_every_class_of_one_video_lies_in_one_fold()
    {
        var samples = Samples(clipsPerClass: 23);

        int[] fold = CrossValidationFolds.Assign(samples, Classes, folds: 5, seed: 3, FoldUnit.Video);

        var byVideo = samples.Select((s, i) => (Video: s.Clip[(s.Clip.IndexOf('.', StringComparison.Ordinal) + 1)..], Fold: fold[i])).GroupBy(x => x.Video).ToArray();
        Assert.Equal(23, byVideo.Length);
        Assert.All(byVideo, video => Assert.Single(video.Select(x => x.Fold).Distinct()));
        int[] sizes = [.. Enumerable.Range(0, 5).Select(f => fold.Count(x => x == f))];
        Assert.True(sizes.Max() - sizes.Min() <= 18, $"fold sizes {string.Join(", ", sizes)}"); // one video holds up to 18 photos here
    }

    [Fact]
    public void By_photo_frames_of_one_clip_are_spread_over_folds_and_each_class_is_dealt_evenly()
    {
        var samples = Samples(clipsPerClass: 23);

        int[] fold = CrossValidationFolds.Assign(samples, Classes, folds: 5, seed: 3, FoldUnit.Photo);

        Assert.Contains(samples.Select((s, i) => (s.Clip, Fold: fold[i])).GroupBy(x => x.Clip), clip => clip.Select(x => x.Fold).Distinct().Count() > 1);
        for (int label = 0; label < 3; label++)
        {
            int[] sizes = [.. Enumerable.Range(0, 5).Select(f => samples.Where((s, i) => s.Label == label && fold[i] == f).Count())];
            Assert.True(sizes.Max() - sizes.Min() <= 1, $"class {label}: fold sizes {string.Join(", ", sizes)}");
        }
    }

    [Fact]
    public void By_clip_is_the_default_and_fewer_videos_than_folds_are_named()
    {
        Assert.Equal(CrossValidationFolds.Assign(Samples(23), Classes, 5, seed: 3), CrossValidationFolds.Assign(Samples(23), Classes, 5, seed: 3, FoldUnit.Clip));

        var error = Assert.Throws<DatasetException>(() => CrossValidationFolds.Assign(Samples(clipsPerClass: 4), Classes, folds: 5, seed: 1, FoldUnit.Video));

        Assert.Contains("4 video(s); --folds 5 --fold-by video needs at least 5", error.Message, StringComparison.Ordinal);
    }
}
