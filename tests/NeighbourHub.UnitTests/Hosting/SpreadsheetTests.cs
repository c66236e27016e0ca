using MiniExcelLibs;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.UnitTests.Hosting;

public sealed class SpreadsheetTests
{
    private sealed record Row(string Name, decimal Yuan);

    private static readonly Spreadsheet.Column<Row>[] Columns =
    [
        new("姓名", r => r.Name),
        new("金额（元）", r => r.Yuan),
    ];

    [Fact]
    public void An_empty_export_still_has_its_header_row()
    {
        var xlsx = Spreadsheet.Write(Array.Empty<Row>(), Columns);

        using var stream = new MemoryStream(xlsx);
        var rows = stream.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().ToList();
        Assert.Single(rows);
        Assert.Equal(["姓名", "金额（元）"], rows[0].Values.Select(v => v?.ToString()));
    }

    [Fact]
    public void Rows_follow_the_header_in_column_order()
    {
        var xlsx = Spreadsheet.Write([new Row("张*", 12.5m), new Row("李*", 0m)], Columns);

        using var stream = new MemoryStream(xlsx);
        var rows = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(["姓名", "金额（元）"], rows[0].Keys);
        Assert.Equal("张*", rows[0]["姓名"]);
        Assert.Equal(12.5m, Convert.ToDecimal(rows[0]["金额（元）"]));
    }
}
