using System.Globalization;
using System.Text;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.Web.Features.Votes;

/// <summary>
/// A tally line as committed to the vote's transparency log, in a form any outside verifier rebuilds from the
/// published tally: the UTF-8 of the JSON object with exactly the members areaCenti, channel, optionId, receipt,
/// voteId and voters, sorted by name, no whitespace (RFC 8785 canonical form; every value is an integer or a plain
/// ASCII string). Leaves are in ordinal order of receipt, so leaf i is line i of the tally.
/// </summary>
public static class VoteLeaf
{
    public const string LogKind = "vote-tally";

    public static byte[] Bytes(long voteId, TallyLine line)
    {
        var json = new StringBuilder(128)
            .Append("{\"areaCenti\":").Append(line.AreaCenti.ToString(CultureInfo.InvariantCulture))
            .Append(",\"channel\":\"").Append(line.Channel).Append('"')
            .Append(",\"optionId\":").Append(line.OptionId.ToString(CultureInfo.InvariantCulture))
            .Append(",\"receipt\":\"").Append(line.Receipt).Append('"')
            .Append(",\"voteId\":").Append(voteId.ToString(CultureInfo.InvariantCulture))
            .Append(",\"voters\":").Append(line.Voters.ToString(CultureInfo.InvariantCulture))
            .Append('}');
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    public static byte[] Hash(long voteId, TallyLine line) => MerkleTree.LeafHash(Bytes(voteId, line));
}

/// <summary>One ballot as the tally publishes it: no name, no flat.</summary>
public sealed record TallyLine(string Receipt, long OptionId, long AreaCenti, int Voters, string Channel)
{
    public decimal AreaM2 => VoteRules.M2(AreaCenti);

    public static string Wire(BallotChannel c) => c switch
    {
        BallotChannel.Online => "online",
        BallotChannel.Paper => "paper",
        _ => "proxy",
    };

    public static string Text(BallotChannel c) => c switch
    {
        BallotChannel.Online => "线上投票",
        BallotChannel.Paper => "纸质选票",
        _ => "委托投票",
    };
}
