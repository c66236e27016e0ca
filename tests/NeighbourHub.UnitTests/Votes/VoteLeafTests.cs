using System.Text;
using NeighbourHub.Web.Features.Votes;

namespace NeighbourHub.UnitTests.Votes;

public sealed class VoteLeafTests
{
    [Fact]
    public void A_tally_line_is_canonical_json_with_sorted_members()
    {
        var bytes = VoteLeaf.Bytes(7, new TallyLine("K7QM3XPA", 12, 8950, 1, "paper"));
        Assert.Equal("{\"areaCenti\":8950,\"channel\":\"paper\",\"optionId\":12,\"receipt\":\"K7QM3XPA\",\"voteId\":7,\"voters\":1}", Encoding.UTF8.GetString(bytes));
        Assert.Equal(NeighbourHub.FundVerifier.MerkleTree.HashLeaf(bytes), VoteLeaf.Hash(7, new TallyLine("K7QM3XPA", 12, 8950, 1, "paper")));
    }
}
