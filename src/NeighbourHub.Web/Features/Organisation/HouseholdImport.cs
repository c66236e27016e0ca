using System.Globalization;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Organisation;

/// <summary>One row of the household roll as estates keep it in Excel.</summary>
public sealed class HouseholdSheetRow
{
    [MiniExcelLibs.Attributes.ExcelColumnName("楼栋")]
    public string? Building { get; set; }

    [MiniExcelLibs.Attributes.ExcelColumnName("单元")]
    public string? Unit { get; set; }

    [MiniExcelLibs.Attributes.ExcelColumnName("房号")]
    public string? Room { get; set; }

    [MiniExcelLibs.Attributes.ExcelColumnName("建筑面积")]
    public string? AreaM2 { get; set; }

    /// <summary>Optional: 是 when the developer still holds the flat (unsold or undelivered), 否 otherwise; empty keeps what is recorded.</summary>
    [MiniExcelLibs.Attributes.ExcelColumnName("开发商持有")]
    public string? HeldByDeveloper { get; set; }
}

public sealed record ImportRowError(int Row, string Column, string Message);

/// <summary>An existing flat the roll would change: what is recorded and what the row says.</summary>
public sealed record HouseholdChange(int Row, string Flat, decimal OldAreaM2, decimal NewAreaM2, bool OldHeldByDeveloper, bool NewHeldByDeveloper);

/// <param name="NeedsConfirmation">
/// The roll is valid but would change flats already on record (listed in <paramref name="Changes"/>): nothing was written;
/// send it again with confirmation to apply it.
/// </param>
public sealed record ImportResult(bool Imported, int Rows, int Created, int Updated, IReadOnlyList<ImportRowError> Errors,
    int Unchanged = 0, bool NeedsConfirmation = false, IReadOnlyList<HouseholdChange>? Changes = null);

/// <summary>
/// Imports an estate's household roll from .xlsx: every row is checked first and nothing is written
/// when any row is wrong; otherwise buildings and units are created as needed and households are
/// created or have their area (and, when the optional 开发商持有 column says so, their developer-held flag)
/// updated, in one transaction. A roll that would change flats already on record is only previewed
/// (old → new) until it is sent again confirmed: areas are what per-m² billing charges and what owners'
/// votes weigh, so they are never overwritten by an upload nobody looked at.
/// </summary>
public sealed class HouseholdImport
{
    public const int MaxRows = 20_000;

    /// <summary>The largest roll the console accepts (through the API the request body limit applies: <see cref="HostingExtensions.MaxRequestBodyBytes"/>).</summary>
    public const long MaxFileBytes = 10 * 1024 * 1024;

    public const string TemplateName = "房屋名册模板.xlsx";

    /// <summary>The sheet the roll is read from; a file without it is read from its first sheet.</summary>
    public const string RollSheet = "房屋名册";

    public const string HelpSheet = "说明";

    /// <summary>
    /// The template: the roll sheet has the headers and no rows (a template uploaded unchanged must change nothing —
    /// example rows once overwrote two real flats' areas), and the example and the rules are on a separate 说明 sheet.
    /// </summary>
    public static byte[] Template()
    {
        using var stream = new MemoryStream();
        (string Item, string Text)[] help =
        [
            ("填写方法", "在“房屋名册”表里从第 2 行起每行填一户，表头不要改动。本“说明”表不会被导入。"),
            ("楼栋", "必填，如“1栋”，最多 50 个字。"),
            ("单元", "必填，如“1单元”，最多 50 个字。"),
            ("房号", "必填，如“101”，最多 20 个字。同一楼栋单元内不能重复。"),
            ("建筑面积", "必填，平方米，大于 0、不超过 10000，最多两位小数，如 89.50。按面积计费的物业费和业主表决都以它为准。"),
            ("开发商持有", "选填：开发建设单位未售或未交付的房屋填“是”，否则填“否”；留空则不改变已登记的标记。"),
            ("示例", "楼栋 1栋 ｜ 单元 1单元 ｜ 房号 101 ｜ 建筑面积 89.50 ｜ 开发商持有 否"),
            ("已有房屋", "表中的房屋已登记且面积或开发商持有标记不同时，系统先列出每一处改动（原值 → 新值），确认后才会修改；相同的房屋记为“未变化”。"),
            ("全部或全不", "任何一行有误则不导入任何数据，并列出每一处错误所在的行和列。"),
        ];
        stream.SaveAs(new Dictionary<string, object>
        {
            [RollSheet] = Array.Empty<HouseholdSheetRow>(),
            [HelpSheet] = help.Select(h => new Dictionary<string, object> { ["项目"] = h.Item, ["说明"] = h.Text }),
        });
        return stream.ToArray();
    }

    /// <param name="confirmed">The caller has seen the preview of changes to existing flats and wants them applied.</param>
    public async Task<ImportResult> ImportAsync(NeighbourHubDbContext db, long estateId, Stream xlsx, bool confirmed, CancellationToken ct)
    {
        if (!await db.Estates.AnyAsync(e => e.Id == estateId, ct))
        {
            throw new NotFoundException("小区");
        }

        List<HouseholdSheetRow> rows;
        try
        {
            // The parser needs a seekable stream (and the sheet names are read before the rows).
            var seekable = xlsx.CanSeek ? xlsx : await CopyAsync(xlsx, ct);
            var sheet = seekable.GetSheetNames().Contains(RollSheet) ? RollSheet : null;
            seekable.Position = 0;
            rows = (await seekable.QueryAsync<HouseholdSheetRow>(sheetName: sheet, cancellationToken: ct)).ToList();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ImportResult(false, 0, 0, 0, [new ImportRowError(0, "file", "无法读取这个 .xlsx 文件，请下载模板填写后再上传。")]);
        }

        var errors = new List<ImportRowError>();
        if (rows.Count > MaxRows)
        {
            return new ImportResult(false, rows.Count, 0, 0, [new ImportRowError(0, "file", $"每个文件最多 {MaxRows} 行。")]);
        }

        var parsed = new List<(int Row, string Building, string Unit, string Room, decimal Area, bool? Held)>();
        var seen = new Dictionary<(string, string, string), int>();
        for (var i = 0; i < rows.Count; i++)
        {
            var excelRow = i + 2; // row 1 holds the headers
            var r = rows[i];
            var building = r.Building?.Trim() ?? "";
            var unit = r.Unit?.Trim() ?? "";
            var room = r.Room?.Trim() ?? "";
            var rowErrors = errors.Count;
            Check(building.Length is 0 or > 50, excelRow, "楼栋", "请填写楼栋（最多 50 个字）。");
            Check(unit.Length is 0 or > 50, excelRow, "单元", "请填写单元（最多 50 个字）。");
            Check(room.Length is 0 or > 20, excelRow, "房号", "请填写房号（最多 20 个字）。");
            var areaOk = decimal.TryParse(r.AreaM2?.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var area);
            Check(!areaOk || area is <= 0 or > 10_000 || decimal.Round(area, 2) != area, excelRow, "建筑面积",
                "建筑面积须为大于 0、不超过 10000 的平方米数，最多两位小数。");
            var heldText = r.HeldByDeveloper?.Trim() ?? "";
            bool? held = heldText switch { "" => null, "是" => true, "否" => false, _ => null };
            Check(heldText.Length > 0 && held is null, excelRow, "开发商持有", "开发商持有只能填“是”或“否”（未售或未交付的房屋填“是”），也可以留空。");
            if (errors.Count == rowErrors)
            {
                if (seen.TryGetValue((building, unit, room), out var first))
                {
                    Check(true, excelRow, "房号", $"{building}{unit}{room} 与第 {first} 行重复。");
                }
                else
                {
                    seen[(building, unit, room)] = excelRow;
                    parsed.Add((excelRow, building, unit, room, area, held));
                }
            }
        }

        if (rows.Count == 0)
        {
            errors.Add(new ImportRowError(0, "file", "表格的表头（楼栋、单元、房号、建筑面积）下面没有数据。"));
        }

        if (errors.Count > 0)
        {
            return new ImportResult(false, rows.Count, 0, 0, errors);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!confirmed)
        {
            var (changes, newFlats) = await PreviewAsync(db, estateId, parsed, ct);
            if (changes.Count > 0)
            {
                return new ImportResult(false, rows.Count, 0, 0, [], parsed.Count - changes.Count - newFlats, NeedsConfirmation: true, Changes: changes);
            }
        }

        var buildings = await db.Buildings.Where(b => b.EstateId == estateId).ToDictionaryAsync(b => b.Name, ct);
        foreach (var name in parsed.Select(p => p.Building).Distinct().Where(n => !buildings.ContainsKey(n)))
        {
            buildings[name] = db.Buildings.Add(new Building { EstateId = estateId, Name = name }).Entity;
        }

        await db.SaveChangesAsync(ct);
        var units = await db.Units.Where(u => u.EstateId == estateId).ToDictionaryAsync(u => (u.BuildingId, u.Name), ct);
        foreach (var (b, u) in parsed.Select(p => (buildings[p.Building].Id, p.Unit)).Distinct().Where(k => !units.ContainsKey(k)))
        {
            units[(b, u)] = db.Units.Add(new Unit { EstateId = estateId, BuildingId = b, Name = u }).Entity;
        }

        await db.SaveChangesAsync(ct);
        var existing = await db.Households.Where(h => h.EstateId == estateId).ToDictionaryAsync(h => (h.UnitId, h.Room), ct);
        int created = 0, updated = 0, unchanged = 0;
        foreach (var p in parsed)
        {
            var b = buildings[p.Building];
            var u = units[(b.Id, p.Unit)];
            if (existing.TryGetValue((u.Id, p.Room), out var h))
            {
                if (h.AreaM2 != p.Area || (p.Held is { } flag && h.HeldByDeveloper != flag))
                {
                    h.AreaM2 = p.Area;
                    h.HeldByDeveloper = p.Held ?? h.HeldByDeveloper;
                    updated++;
                }
                else
                {
                    unchanged++;
                }
            }
            else
            {
                db.Households.Add(new Household { EstateId = estateId, BuildingId = b.Id, UnitId = u.Id, Room = p.Room, AreaM2 = p.Area, HeldByDeveloper = p.Held ?? false });
                created++;
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new ImportResult(true, rows.Count, created, updated, [], unchanged);

        static async Task<Stream> CopyAsync(Stream source, CancellationToken ct)
        {
            var buffer = new MemoryStream();
            await source.CopyToAsync(buffer, ct);
            buffer.Position = 0;
            return buffer;
        }

        void Check(bool failed, int row, string column, string message)
        {
            if (failed)
            {
                errors.Add(new ImportRowError(row, column, message));
            }
        }
    }

    /// <summary>The flats on record that the parsed rows would change (in row order, for the preview), and how many rows are new flats.</summary>
    private static async Task<(List<HouseholdChange> Changes, int NewFlats)> PreviewAsync(NeighbourHubDbContext db, long estateId,
        List<(int Row, string Building, string Unit, string Room, decimal Area, bool? Held)> parsed, CancellationToken ct)
    {
        var recorded = (await (from h in db.Households
                               join b in db.Buildings on h.BuildingId equals b.Id
                               join u in db.Units on h.UnitId equals u.Id
                               where h.EstateId == estateId
                               select new { Building = b.Name, Unit = u.Name, h.Room, h.AreaM2, h.HeldByDeveloper }).ToListAsync(ct))
            .ToDictionary(x => (x.Building, x.Unit, x.Room));
        var changes = new List<HouseholdChange>();
        var newFlats = 0;
        foreach (var p in parsed)
        {
            if (!recorded.TryGetValue((p.Building, p.Unit, p.Room), out var h))
            {
                newFlats++;
            }
            else if (h.AreaM2 != p.Area || (p.Held is { } flag && h.HeldByDeveloper != flag))
            {
                changes.Add(new HouseholdChange(p.Row, p.Building + p.Unit + p.Room, h.AreaM2, p.Area, h.HeldByDeveloper, p.Held ?? h.HeldByDeveloper));
            }
        }

        return (changes, newFlats);
    }
}
