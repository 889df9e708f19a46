pub mod aws;
pub mod model;
pub mod sanitize;
