using Microsoft.AspNetCore.Http.HttpResults;
using MiniExcelLibs;

namespace NeighbourHub.Web.Hosting;

/// <summary>
/// The .xlsx files people download and fill in: one sheet, a row per item, columns headed in Chinese in the
/// order given, and a Chinese file name.
/// </summary>
public static class Spreadsheet
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>A column: its Chinese header and the cell of a row.</summary>
    public sealed record Column<T>(string Header, Func<T, object?> Cell);

    public static byte[] Write<T>(IEnumerable<T> rows, params Column<T>[] columns)
    {
        using var stream = new MemoryStream();
        var lines = rows.Select(r => columns.ToDictionary(c => c.Header, c => c.Cell(r))).ToList();
        if (lines.Count == 0)
        {
            // MiniExcel takes the headers from the first row, so an empty list would give a blank sheet; an empty
            // table still carries its columns, and the person who opens it sees what the export would hold.
            var table = new System.Data.DataTable();
            foreach (var column in columns)
            {
                table.Columns.Add(column.Header, typeof(string));
            }

            stream.SaveAs(table);
        }
        else
        {
            stream.SaveAs(lines);
        }

        return stream.ToArray();
    }

    /// <summary>A download of the rows as <paramref name="fileName"/> (Chinese, ending in .xlsx).</summary>
    public static FileContentHttpResult File<T>(string fileName, IEnumerable<T> rows, params Column<T>[] columns) =>
        File(fileName, Write(rows, columns));

    public static FileContentHttpResult File(string fileName, byte[] xlsx) => TypedResults.File(xlsx, ContentType, fileName);
}
