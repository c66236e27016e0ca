using System.Text.RegularExpressions;

namespace NeighbourHub.Web.Features.Organisation;

/// <summary>
/// A flat as staff type it: "3-2-501" (building 3, unit 2, room 501), "3栋2单元501", "3号楼2单元501室", or only a room
/// ("501", matched as a prefix). Building and unit are matched against the names estates use ("3栋", "3幢", "3号楼"…),
/// exactly, so the lookup stays on the (EstateId, Name), (BuildingId, Name) and (UnitId, Room) indexes.
/// </summary>
public sealed partial record FlatQuery(string? Building, string? Unit, string Room)
{
    [GeneratedRegex(@"^(?<b>[0-9A-Za-z]{1,10})\s*(栋|幢|座|号楼|#|-|－|—|/|\s)\s*(?<u>[0-9A-Za-z]{1,10})\s*(单元|-|－|—|/|\s)\s*(?<r>[0-9A-Za-z]{1,20})\s*(室|号)?$")]
    private static partial Regex Full();

    [GeneratedRegex(@"^[0-9A-Za-z]{1,20}$")]
    private static partial Regex RoomOnly();

    public static FlatQuery? Parse(string? text)
    {
        var t = text?.Trim() ?? "";
        if (Full().Match(t) is { Success: true } m)
        {
            return new FlatQuery(m.Groups["b"].Value, m.Groups["u"].Value, m.Groups["r"].Value);
        }

        return RoomOnly().IsMatch(t) ? new FlatQuery(null, null, t) : null;
    }

    /// <summary>The names a building "3" may carry.</summary>
    public IReadOnlyList<string> BuildingNames => Building is null ? [] : [Building, Building + "栋", Building + "幢", Building + "座", Building + "号楼", Building + "#"];

    public IReadOnlyList<string> UnitNames => Unit is null ? [] : [Unit, Unit + "单元"];
}
