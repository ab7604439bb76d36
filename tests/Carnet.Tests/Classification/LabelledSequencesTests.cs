using Carnet.Tasks.Classification;
using Carnet.Tasks.Data;

namespace Carnet.Tests.Classification;

/// <summary>Sequences read in long and wide format, numeric or as tokens, and errors that name the file, line and column.</summary>
public sealed class LabelledSequencesTests
{
    private static LabelledSequences Read(string text, SequenceColumns columns) => LabelledSequences.FromTable(CsvTable.Parse(text, "q.csv"), columns);

    private static DataFormatException Fails(string text, SequenceColumns columns)
        => Assert.Throws<DataFormatException>(() => Read(text, columns));

    [Fact]
    public void LongFormatGroupsByIdInFirstAppearanceOrderAndSortsByTime()
    {
        const string text = """
            id,t,x,y,label
            s2,2,20,-20,B
            s1,1,1,-1,A
            s2,1,10,-10,B
            s1,3,3,-3,A
            s1,2,2,-2,A
            s3,5,7,-7,C
            """;
        var data = Read(text, new SequenceColumns { Id = "id", Time = "t", Label = "label" });
        Assert.Equal(3, data.Count);
        Assert.Equal(["s2", "s1", "s3"], data.Ids);
        Assert.Equal([2, 3, 1], data.Lengths);
        Assert.Equal(3, data.Steps);
        Assert.Equal(["x", "y"], data.FeatureNames);
        Assert.Equal(2, data.FeaturesPerStep);
        Assert.Null(data.Tokens);
        // (N, T, C): s2 at t = 1, 2 then padding; s1 at t = 1, 2, 3; s3 one step
        Assert.Equal([10.0, -10, 20, -20, 0, 0, 1, -1, 2, -2, 3, -3, 7, -7, 0, 0, 0, 0], data.Features!);
        Assert.Equal(["B", "A", "C"], data.Labels);
        // the line of each sequence's first step in time
        Assert.Equal([4, 3, 7], data.Lines);
    }

    [Fact]
    public void LongFormatWithoutTimeKeepsFileOrderAndMayHaveNoLabel()
    {
        var data = Read("id,v\nb,3\na,1\nb,4\nb,5\n", new SequenceColumns { Id = "id" });
        Assert.Equal(["b", "a"], data.Ids);
        Assert.Equal([3, 1], data.Lengths);
        Assert.Equal([3.0, 4, 5, 1, 0, 0], data.Features!);
        Assert.Equal([null, null], data.Labels);
        Assert.Equal([2, 3], data.Lines);
    }

    [Fact]
    public void WideFormatReadsStepsOfSeveralFeaturesAndTrailingEmptyCellsShortenASequence()
    {
        const string text = """
            a1,b1,a2,b2,a3,b3,label
            1,2,3,4,5,6,X
            7,8,,,,,Y
            9,10,11,12, , ,X
            """;
        var data = Read(text, new SequenceColumns { Label = "label", FeaturesPerStep = 2 });
        Assert.Equal(["2", "3", "4"], data.Ids);
        Assert.Equal([3, 1, 2], data.Lengths);
        Assert.Equal(3, data.Steps);
        Assert.Equal(2, data.FeaturesPerStep);
        Assert.Equal([1.0, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 9, 10, 11, 12, 0, 0], data.Features!);
        Assert.Equal(["X", "Y", "X"], data.Labels);
        Assert.Equal([2, 3, 4], data.Lines);
    }

    [Fact]
    public void GivenFeatureColumnsAreReadInTheirOrder()
    {
        var data = Read("p,q,r,label\n1,2,3,A\n4,5,6,B\n", new SequenceColumns { Label = "label", Features = ["r", "p"] });
        Assert.Equal(["r", "p"], data.FeatureNames);
        Assert.Equal([3.0, 1, 6, 4], data.Features!);
        Assert.Equal([2, 2], data.Lengths);
    }

    [Fact]
    public void ATextColumnOfLettersGivesCharacterTokens()
    {
        var data = Read("sequence,class\nACGT,x\nAG,y\n\"TTA\",x\n", new SequenceColumns { Label = "class" });
        Assert.Null(data.Features);
        Assert.Equal(0, data.FeaturesPerStep);
        Assert.Equal([4, 2, 3], data.Lengths);
        Assert.Equal(["A", "C", "G", "T", "A", "G", "", "", "T", "T", "A", ""], data.Tokens!);
        Assert.Equal(["x", "y", "x"], data.Labels);
        Assert.Equal(["sequence"], data.FeatureNames);
    }

    [Fact]
    public void ATextColumnWithSpacesGivesWordTokens()
    {
        var data = Read("text,label\nthe cat sat,a\n  dog   runs ,b\nok,a\n", new SequenceColumns { Label = "label" });
        Assert.Equal([3, 2, 2], data.Lengths);
        Assert.Equal(["the", "cat", "sat", "dog", "runs", "", "o", "k", ""], data.Tokens!);
    }

    [Fact]
    public void LongFormatTokensAreOnePerRow()
    {
        var data = Read("id,step,word,label\nu,2,world,P\nu,1,hello,P\nv,1,bye,N\n", new SequenceColumns { Id = "id", Time = "step", Label = "label" });
        Assert.Equal(["hello", "world", "bye", ""], data.Tokens!);
        Assert.Equal([2, 1], data.Lengths);
    }

    [Fact]
    public void ALabelThatChangesInsideASequenceIsAnError()
    {
        var error = Fails("id,x,label\na,1,P\nb,5,Q\na,2,Q\n", new SequenceColumns { Id = "id", Label = "label" });
        Assert.Equal("q.csv:4:3: label 'Q' differs from 'P' earlier in the same sequence", error.Message);
        Assert.Equal((4, 3), (error.Line, error.Column));
    }

    [Fact]
    public void AnEmptyLabelIsAnError()
    {
        var error = Fails("x1,x2,label\n1,2,A\n3,4, \n", new SequenceColumns { Label = "label" });
        Assert.Equal("q.csv:3:3: empty label", error.Message);
    }

    [Fact]
    public void ANonNumericCellIsAnError()
    {
        var wide = Fails("x1,x2,label\n1,2,A\n3,abc,B\n", new SequenceColumns { Label = "label" });
        Assert.Equal("q.csv:3:2: 'abc' in column 'x2' is not a finite number", wide.Message);

        var inside = Fails("x1,x2,x3,label\n1,,3,A\n", new SequenceColumns { Label = "label" });
        Assert.Equal("q.csv:2:2: '' in column 'x2' is not a finite number", inside.Message);

        var time = Fails("id,t,x\na,1,5\na,later,6\n", new SequenceColumns { Id = "id", Time = "t" });
        Assert.Equal("q.csv:3:2: 'later' in column 't' is not a finite number", time.Message);
    }

    [Fact]
    public void FeaturesPerStepMustDivideTheFeatureColumns()
    {
        var error = Fails("a,b,c,label\n1,2,3,A\n", new SequenceColumns { Label = "label", FeaturesPerStep = 2 });
        Assert.Equal("q.csv:1: 3 feature columns cannot be read 2 per step; --features-per-step must divide the number of feature columns", error.Message);
        var zero = Fails("a,b,label\n1,2,A\n", new SequenceColumns { Label = "label", FeaturesPerStep = 0 });
        Assert.Equal("q.csv:1: 2 feature columns cannot be read 0 per step; --features-per-step must divide the number of feature columns", zero.Message);
    }

    [Fact]
    public void AnEmptyCellInTheMiddleOfAStepIsAnError()
    {
        // the trailing empty cell leaves 3 cells: step 2 lacks its second feature, column 4
        var error = Fails("a1,b1,a2,b2,label\n1,2,3,4,A\n1,2,3,,B\n", new SequenceColumns { Label = "label", FeaturesPerStep = 2 });
        Assert.Equal("q.csv:3:4: empty cell in the middle of a step of 2 features", error.Message);
    }

    [Fact]
    public void ASequenceWithoutStepsIsAnError()
    {
        var wide = Fails("a,b,label\n1,2,A\n,,B\n", new SequenceColumns { Label = "label" });
        Assert.Equal("q.csv:3:1: empty sequence", wide.Message);
        var text = Fails("text,label\nabc,A\n  ,B\n", new SequenceColumns { Label = "label" });
        Assert.Equal("q.csv:3:1: empty sequence", text.Message);
    }

    [Fact]
    public void AHeaderOnlyFileIsAnError()
    {
        var error = Fails("a,b,label\n", new SequenceColumns { Label = "label" });
        Assert.Equal("q.csv:1: the file has a header but no data rows", error.Message);
    }

    [Fact]
    public void ColumnMistakesAreNamed()
    {
        var missing = Fails("a,b\n1,2\n", new SequenceColumns { Label = "label" });
        Assert.Equal("q.csv:1: no column 'label'; the columns are a, b", missing.Message);

        var labelAsFeature = Fails("a,label\n1,A\n", new SequenceColumns { Label = "label", Features = ["a", "label"] });
        Assert.Equal("q.csv:1:2: 'label' is the label; it cannot also be a feature", labelAsFeature.Message);

        var timeWithoutId = Fails("t,a,label\n1,2,A\n", new SequenceColumns { Time = "t", Label = "label" });
        Assert.Equal("q.csv:1:1: a --time column orders the steps of long-format sequences; give --id too", timeWithoutId.Message);

        var nothingLeft = Fails("id,label\na,A\n", new SequenceColumns { Id = "id", Label = "label" });
        Assert.Equal("q.csv:1: no feature columns besides the id, time and label", nothingLeft.Message);
    }
}
