using NeighbourHub.Web.Features.Votes;
using static NeighbourHub.Web.Features.Votes.Electorate;

namespace NeighbourHub.UnitTests.Votes;

/// <summary>Art. 9 of the SPC interpretation: who counts once, and with what area.</summary>
public sealed class ElectorateTests
{
    private static Flat F(long id, long area, bool developer = false) => new(id, $"1栋1单元{id}", area, developer);

    [Fact]
    public void Co_owners_of_a_flat_are_one_voter()
    {
        var groups = GroupVoters([F(101, 8950), F(102, 12000)], [new(1, 101, "王建国"), new(2, 101, "李秀英")]);
        Assert.Equal(2, groups.Count);
        Assert.Equal([1L, 2L], groups[0].Members);
        Assert.Equal(8950, groups[0].AreaCenti);
        Assert.Empty(groups[1].Members); // 102 has no owner in the app: a voter of its own, who votes on paper
    }

    [Fact]
    public void An_owner_of_several_flats_is_one_voter_with_the_summed_area()
    {
        var groups = GroupVoters([F(101, 8950), F(102, 12000), F(103, 9000)], [new(1, 101, "王建国"), new(1, 103, "王建国")]);
        Assert.Equal(2, groups.Count);
        var owner = groups.Single(g => g.Members.Contains(1));
        Assert.Equal(17950, owner.AreaCenti);
        Assert.Equal(2, owner.Flats.Count);
    }

    [Fact]
    public void Co_ownership_chains_join_into_one_voter()
    {
        // A and B own 101; A also owns 102; B also owns 103 with C: all of it is one voter.
        var groups = GroupVoters([F(101, 100), F(102, 200), F(103, 300), F(104, 400)],
            [new(1, 101, "甲"), new(2, 101, "乙"), new(1, 102, "甲"), new(2, 103, "乙"), new(3, 103, "丙")]);
        Assert.Equal(2, groups.Count);
        Assert.Equal(600, groups[0].AreaCenti);
        Assert.Equal([1L, 2L, 3L], groups[0].Members);
        Assert.Equal(400, groups[1].AreaCenti);
    }

    [Fact]
    public void Every_developer_held_flat_is_one_voter_together_whoever_claims_one()
    {
        var groups = GroupVoters([F(101, 100), F(102, 200, developer: true), F(103, 300, developer: true), F(104, 400)],
            [new(1, 102, "误登记的人"), new(2, 104, "赵")]);
        Assert.Equal(3, groups.Count);
        var developer = groups.Single(g => g.IsDeveloper);
        Assert.Equal(500, developer.AreaCenti);
        Assert.Empty(developer.Members);
        Assert.DoesNotContain(groups, g => g.Members.Contains(1));
    }

    [Fact]
    public void The_totals_are_every_flat_of_the_estate()
    {
        var flats = Enumerable.Range(1, 50).Select(i => F(i, 8000 + i, developer: i > 45)).ToList();
        var owners = Enumerable.Range(1, 30).Select(i => new Owner(i % 20, i, "业主")).ToList();
        var groups = GroupVoters(flats, owners);
        Assert.Equal(flats.Sum(f => f.AreaCenti), groups.Sum(g => g.AreaCenti));
        Assert.Equal(50, groups.Sum(g => g.Flats.Count));
        Assert.Equal(20 + 15 + 1, groups.Count); // 20 owners (of flats 1–30), 15 flats without an owner, the developer
    }
}
