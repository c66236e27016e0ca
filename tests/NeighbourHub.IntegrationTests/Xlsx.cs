using MiniExcelLibs;

namespace NeighbourHub.IntegrationTests;

internal static class Xlsx
{
    /// <summary>An .xlsx roll with the template's headers.</summary>
    public static byte[] Households(params (string Building, string Unit, string Room, string Area)[] rows)
    {
        using var stream = new MemoryStream();
        stream.SaveAs(rows.Select(r => new Dictionary<string, object> { ["楼栋"] = r.Building, ["单元"] = r.Unit, ["房号"] = r.Room, ["建筑面积"] = r.Area }));
        return stream.ToArray();
    }

    /// <summary>A roll with the optional 开发商持有 column (是/否, or empty to keep what is recorded).</summary>
    public static byte[] HouseholdsHeld(params (string Building, string Unit, string Room, string Area, string Held)[] rows)
    {
        using var stream = new MemoryStream();
        stream.SaveAs(rows.Select(r => new Dictionary<string, object> { ["楼栋"] = r.Building, ["单元"] = r.Unit, ["房号"] = r.Room, ["建筑面积"] = r.Area, ["开发商持有"] = r.Held }));
        return stream.ToArray();
    }
}
