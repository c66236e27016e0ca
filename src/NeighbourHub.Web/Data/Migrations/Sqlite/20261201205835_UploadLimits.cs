using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NeighbourHub.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UploadLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_StoredFiles_UploadedByResidentId",
                table: "StoredFiles");

            migrationBuilder.AddColumn<int>(
                name: "Height",
                table: "StoredFiles",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Width",
                table: "StoredFiles",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "IX_StoredFiles_CreatedAt",
                table: "StoredFiles",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_StoredFiles_UploadedByAdminId_CreatedAt",
                table: "StoredFiles",
                columns: new[] { "UploadedByAdminId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_StoredFiles_UploadedByResidentId_CreatedAt",
                table: "StoredFiles",
                columns: new[] { "UploadedByResidentId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_StoredFiles_CreatedAt",
                table: "StoredFiles");

            migrationBuilder.DropIndex(
                name: "IX_StoredFiles_UploadedByAdminId_CreatedAt",
                table: "StoredFiles");

            migrationBuilder.DropIndex(
                name: "IX_StoredFiles_UploadedByResidentId_CreatedAt",
                table: "StoredFiles");

            migrationBuilder.DropColumn(
                name: "Height",
                table: "StoredFiles");

            migrationBuilder.DropColumn(
                name: "Width",
                table: "StoredFiles");

            migrationBuilder.CreateIndex(
                name: "IX_StoredFiles_UploadedByResidentId",
                table: "StoredFiles",
                column: "UploadedByResidentId");
        }
    }
}
