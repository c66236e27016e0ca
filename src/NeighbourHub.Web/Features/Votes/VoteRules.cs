namespace NeighbourHub.Web.Features.Votes;

/// <summary>Heads and area (in 0.01 m²) of a group of voters: the electorate, the participants, an option's.</summary>
public readonly record struct Weight(long Voters, long AreaCenti)
{
    public static Weight operator +(Weight a, Weight b) => new(a.Voters + b.Voters, a.AreaCenti + b.AreaCenti);
}

/// <summary>What the rule says about a closed vote.</summary>
/// <param name="Participation">Everyone who cast a ballot, whatever its option (abstaining is taking part).</param>
/// <param name="QuorumMet">Enough owners took part for the vote to decide anything (always true for <see cref="VoteRule.Simple"/>).</param>
/// <param name="Passed">The motion (the first option) carried.</param>
public sealed record VoteOutcome(Weight Participation, bool QuorumMet, bool Passed);

/// <summary>
/// The decision rules, in integers only (areas in 0.01 m²): every "share" is a cross-multiplication, so a bound is
/// met or missed exactly, never by a rounding of floating point.
/// <list type="bullet">
/// <item><b>simple</b>: more than half of the ballots cast choose the motion (意见征询; no quorum).</item>
/// <item><b>art. 278</b> (Civil Code, 2021): owners holding at least 2/3 of the area <i>and</i> at least 2/3 of the
/// headcount take part (“三分之二以上”, bound included — art. 1259); then the motion needs at least 3/4 of the
/// participating area and headcount for items 6–8 (<see cref="VoteRule.Art278Major"/>: maintenance funds,
/// rebuilding, changing the use of common parts), or strictly more than half of each for every other matter
/// (<see cref="VoteRule.Art278Ordinary"/>: “过半数”, bound excluded).</item>
/// </list>
/// </summary>
public static class VoteRules
{
    /// <param name="electorate">The frozen electorate's totals (the denominators of the quorum).</param>
    /// <param name="options">Each option's ballots, the motion first.</param>
    public static VoteOutcome Decide(VoteRule rule, Weight electorate, IReadOnlyList<Weight> options)
    {
        if (options.Count == 0)
        {
            throw new ArgumentException("A vote has at least one option.", nameof(options));
        }

        var taking = options.Aggregate(default(Weight), (a, b) => a + b);
        var motion = options[0];
        if (rule == VoteRule.Simple)
        {
            return new VoteOutcome(taking, true, 2 * motion.Voters > taking.Voters);
        }

        var quorum = electorate.Voters > 0 && AtLeast(taking, electorate, 2, 3);
        var carried = rule == VoteRule.Art278Major ? AtLeast(motion, taking, 3, 4) : MoreThanHalf(motion, taking);
        return new VoteOutcome(taking, quorum, quorum && carried);
    }

    /// <summary>part ≥ num/den of whole, in both heads and area (“以上”, the bound included).</summary>
    public static bool AtLeast(Weight part, Weight whole, int num, int den) =>
        (Int128)part.Voters * den >= (Int128)whole.Voters * num && (Int128)part.AreaCenti * den >= (Int128)whole.AreaCenti * num;

    /// <summary>part &gt; 1/2 of whole, in both heads and area (“过半数”, the bound excluded).</summary>
    public static bool MoreThanHalf(Weight part, Weight whole) =>
        2 * (Int128)part.Voters > whole.Voters && 2 * (Int128)part.AreaCenti > whole.AreaCenti;

    /// <summary>How the rule reads in Chinese, for notices, pages and exports.</summary>
    public static string Text(VoteRule rule) => rule switch
    {
        VoteRule.Simple => "简单多数（超过投票人数一半同意）",
        VoteRule.Art278Ordinary => "民法典第278条一般事项（双三分之二参与，参与表决面积和人数均过半数同意）",
        _ => "民法典第278条重大事项（双三分之二参与，参与表决面积和人数均四分之三以上同意）",
    };

    public static string Wire(VoteRule rule) => rule switch
    {
        VoteRule.Simple => "simple",
        VoteRule.Art278Ordinary => "art278_ordinary",
        _ => "art278_major",
    };

    public static VoteRule? Parse(string? wire) => wire switch
    {
        "simple" => VoteRule.Simple,
        "art278_ordinary" => VoteRule.Art278Ordinary,
        "art278_major" => VoteRule.Art278Major,
        _ => null,
    };

    /// <summary>0.01 m² units as the m² people read and JSON carries (two decimals, exact).</summary>
    public static decimal M2(long centi) => centi / 100m;

    /// <summary>A registered floor area (two decimals) in 0.01 m² units.</summary>
    public static long Centi(decimal areaM2) => (long)decimal.Round(areaM2 * 100m, 0, MidpointRounding.AwayFromZero);
}
