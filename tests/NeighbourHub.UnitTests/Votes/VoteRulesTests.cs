using NeighbourHub.Web.Features.Votes;

namespace NeighbourHub.UnitTests.Votes;

/// <summary>
/// Civil Code art. 278 at every bound, in integers. The electorate: 300 voters holding 30,000.00 m² (3,000,000 in
/// 0.01 m²), so 2/3 is exactly 200 voters and 20,000.00 m²; 1/2 and 3/4 of a 200-voter, 20,000 m² turnout are exact too.
/// </summary>
public sealed class VoteRulesTests
{
    private static readonly Weight Electorate = new(300, 3_000_000);

    private static VoteOutcome Art278(VoteRule rule, Weight yes, Weight no) => VoteRules.Decide(rule, Electorate, [yes, no]);

    [Fact]
    public void Participation_of_exactly_two_thirds_of_heads_and_area_meets_the_quorum()
    {
        var outcome = Art278(VoteRule.Art278Ordinary, new(150, 1_500_000), new(50, 500_000));
        Assert.Equal(new Weight(200, 2_000_000), outcome.Participation);
        Assert.True(outcome.QuorumMet);
        Assert.True(outcome.Passed);
    }

    [Fact]
    public void One_hundredth_of_a_square_metre_under_two_thirds_of_the_area_misses_the_quorum_and_fails()
    {
        var outcome = Art278(VoteRule.Art278Ordinary, new(150, 1_499_999), new(50, 500_000));
        Assert.False(outcome.QuorumMet);
        Assert.False(outcome.Passed);
    }

    [Fact]
    public void One_voter_under_two_thirds_of_the_heads_misses_the_quorum_even_with_all_the_area()
    {
        var outcome = Art278(VoteRule.Art278Major, new(199, 3_000_000), new(0, 0));
        Assert.False(outcome.QuorumMet);
        Assert.False(outcome.Passed);
    }

    [Fact]
    public void Exactly_half_of_the_participants_is_not_more_than_half()
    {
        Assert.False(Art278(VoteRule.Art278Ordinary, new(100, 1_000_000), new(100, 1_000_000)).Passed);
        Assert.False(Art278(VoteRule.Art278Ordinary, new(101, 1_000_000), new(99, 1_000_000)).Passed);  // heads over, area at half
        Assert.False(Art278(VoteRule.Art278Ordinary, new(100, 1_000_001), new(100, 999_999)).Passed);   // area over, heads at half
        Assert.True(Art278(VoteRule.Art278Ordinary, new(101, 1_000_001), new(99, 999_999)).Passed);     // one head and 0.01 m² over
    }

    [Fact]
    public void Exactly_three_quarters_carries_a_major_matter_and_one_under_does_not()
    {
        Assert.True(Art278(VoteRule.Art278Major, new(150, 1_500_000), new(50, 500_000)).Passed);
        Assert.False(Art278(VoteRule.Art278Major, new(149, 1_500_000), new(51, 500_000)).Passed);        // one voter under 3/4
        Assert.False(Art278(VoteRule.Art278Major, new(150, 1_499_999), new(50, 500_001)).Passed);        // 0.01 m² under 3/4
    }

    [Fact]
    public void Abstentions_count_as_taking_part_and_against_the_motion()
    {
        // 200 take part (quorum met); 101 yes, 50 no, 49 abstain: more than half of 200, not 3/4.
        var outcome = VoteRules.Decide(VoteRule.Art278Ordinary, Electorate, [new(101, 1_010_000), new(50, 500_000), new(49, 490_000)]);
        Assert.Equal(new Weight(200, 2_000_000), outcome.Participation);
        Assert.True(outcome.Passed);
        Assert.False(VoteRules.Decide(VoteRule.Art278Major, Electorate, [new(101, 1_010_000), new(50, 500_000), new(49, 490_000)]).Passed);
    }

    [Fact]
    public void A_simple_poll_has_no_quorum_and_needs_more_than_half_of_the_ballots_cast()
    {
        Assert.True(VoteRules.Decide(VoteRule.Simple, Electorate, [new(2, 100), new(1, 99_999)]).Passed);
        Assert.False(VoteRules.Decide(VoteRule.Simple, Electorate, [new(2, 100), new(2, 100)]).Passed);
        Assert.False(VoteRules.Decide(VoteRule.Simple, Electorate, [new(0, 0), new(0, 0)]).Passed);
        Assert.True(VoteRules.Decide(VoteRule.Simple, Electorate, [new(1, 100), new(0, 0)]).QuorumMet);
    }

    [Fact]
    public void An_empty_electorate_never_meets_the_quorum()
    {
        Assert.False(VoteRules.Decide(VoteRule.Art278Ordinary, new Weight(0, 0), [new(0, 0), new(0, 0)]).QuorumMet);
    }

    [Theory]
    [InlineData("89.5", 8950)]
    [InlineData("120.00", 12000)]
    [InlineData("0.01", 1)]
    [InlineData("65432.17", 6543217)]
    public void Areas_become_exact_hundredths(string m2, long centi)
    {
        Assert.Equal(centi, VoteRules.Centi(decimal.Parse(m2, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(decimal.Parse(m2, System.Globalization.CultureInfo.InvariantCulture), VoteRules.M2(centi));
    }

    [Fact]
    public void Rules_are_spelt_on_the_wire_as_API_md_says()
    {
        Assert.Equal(["simple", "art278_ordinary", "art278_major"], Enum.GetValues<VoteRule>().Select(VoteRules.Wire));
        Assert.All(Enum.GetValues<VoteRule>(), r => Assert.Equal(r, VoteRules.Parse(VoteRules.Wire(r))));
        Assert.Null(VoteRules.Parse("Art278Major"));
    }
}
